namespace FuncReg;

/// <summary>
/// Random data augmentation of training batches, set on <see cref="FitOptions.Augmentation"/> (Keras's
/// <c>ImageDataGenerator</c> options plus Gaussian noise, random erasing and mixup). Hyperparameters only; the
/// default instance changes nothing. <see cref="Trainer.Fit"/> applies it to each training batch after gathering
/// it and never to validation or test data.
/// <para>
/// Per sample, in this order: an affine map (rotation, shift, zoom) sampled by inverse mapping with
/// <b>bilinear</b> interpolation and <see cref="FillMode"/> outside the image (Keras's order-1 spline); flips; random
/// erasing; Gaussian noise. Then, per batch, mixup. Images are channels-last <c>[height, width, channels]</c>
/// (NHWC, as Keras); every option except <see cref="GaussianNoise"/> and <see cref="MixupAlpha"/> needs such a
/// 3-D sample shape, and <see cref="Trainer.Fit"/> throws naming the option otherwise.
/// </para>
/// <para>
/// Randomness: every draw is keyed by (model seed, <see cref="RandomStreams.Augmentation"/>, the model's global
/// training step, the sample's index in the batch, a fixed slot per draw), so the same seed gives the same
/// augmented batch on any number of threads, and a resumed run continues the same sequence.
/// </para>
/// </summary>
public sealed record Augmentation
{
    /// <summary>Mirror left–right (the width axis) with probability ½.</summary>
    public bool HorizontalFlip { get; init; }

    /// <summary>Mirror top–bottom (the height axis) with probability ½.</summary>
    public bool VerticalFlip { get; init; }

    /// <summary>Rotate by θ ~ U(−r, r) degrees about the image centre (r ≥ 0).</summary>
    public double RotationRange { get; init => field = Guard.NonNegative(value, nameof(RotationRange)); }

    /// <summary>
    /// Horizontal shift: for r &lt; 1 a fraction of the width, t ~ U(−r, r)·width pixels; for r ≥ 1 whole pixels,
    /// t uniform on the integers −⌊r⌋…⌊r⌋ (Keras's integer form).
    /// </summary>
    public double WidthShiftRange { get; init => field = Guard.NonNegative(value, nameof(WidthShiftRange)); }

    /// <summary>Vertical shift, as <see cref="WidthShiftRange"/> with the height.</summary>
    public double HeightShiftRange { get; init => field = Guard.NonNegative(value, nameof(HeightShiftRange)); }

    /// <summary>
    /// Zoom as Keras: per axis a factor z ~ U(1 − r, 1 + r) (drawn independently for height and width) that scales
    /// the source coordinates, so z &lt; 1 zooms in; r in [0, 1).
    /// </summary>
    public double ZoomRange { get; init => field = Guard.Rate(value, nameof(ZoomRange)); }

    /// <summary>What geometric transforms read outside the image.</summary>
    public FillMode FillMode { get; init; } = FillMode.Nearest;

    /// <summary>The fill value of <see cref="FillMode.Constant"/>.</summary>
    public float CValue { get; init => field = (float)Guard.Finite(value, nameof(CValue)); }

    /// <summary>Adds N(0, σ²) independently to every value (σ ≥ 0); any sample shape.</summary>
    public double GaussianNoise { get; init => field = Guard.NonNegative(value, nameof(GaussianNoise)); }

    /// <summary>
    /// Random erasing (Zhong et al. 2017, as torchvision's <c>RandomErasing</c>): with this probability a rectangle of
    /// area a·h·w, a ~ U(<see cref="ErasingArea"/>), and aspect ratio exp(U(ln lo, ln hi)) of
    /// <see cref="ErasingAspect"/> is set to <see cref="ErasingValue"/> in every channel (up to 10 tries to fit it).
    /// </summary>
    public double ErasingProbability { get; init => field = Guard.UnitInterval(value, nameof(ErasingProbability)); }

    /// <summary>Range of the erased area as a fraction of the image, within (0, 1].</summary>
    public (double Min, double Max) ErasingArea
    {
        get;
        init => field = CheckRange(value, 0, 1, nameof(ErasingArea));
    } = (0.02, 0.33);

    /// <summary>Range of the erased rectangle's height/width ratio, positive.</summary>
    public (double Min, double Max) ErasingAspect
    {
        get;
        init => field = CheckRange(value, 0, double.MaxValue, nameof(ErasingAspect));
    } = (0.3, 3.3);

    /// <summary>Value written into the erased rectangle.</summary>
    public float ErasingValue { get; init => field = (float)Guard.Finite(value, nameof(ErasingValue)); }

    /// <summary>
    /// Mixup (Zhang et al. 2018) when α &gt; 0: one λ ~ Beta(α, α) per batch and a random pairing π of the batch,
    /// <c>x_k ← λ·x_k + (1−λ)·x_π(k)</c> and the same for targets. Integer labels are first turned into float
    /// targets of the model's output size (one-hot rows; the label itself for one output unit), so mixed rows still
    /// sum to 1. Any sample shape.
    /// </summary>
    public double MixupAlpha { get; init => field = Guard.NonNegative(value, nameof(MixupAlpha)); }

    /// <summary>True when the options change nothing (the default).</summary>
    public bool IsIdentity => !NeedsImages && GaussianNoise == 0 && MixupAlpha == 0;

    internal bool HasAffine => RotationRange > 0 || WidthShiftRange > 0 || HeightShiftRange > 0 || ZoomRange > 0;

    internal bool NeedsImages => HasAffine || HorizontalFlip || VerticalFlip || ErasingProbability > 0;

    /// <summary>
    /// Throws unless every enabled option fits samples of <paramref name="sampleShape"/>: the image options need
    /// a 3-D channels-last shape [height, width, channels].
    /// </summary>
    public void Validate(IReadOnlyList<int> sampleShape)
    {
        ArgumentNullException.ThrowIfNull(sampleShape);
        if (sampleShape.Count == 3 || !NeedsImages)
        {
            return;
        }
        string option = HorizontalFlip ? nameof(HorizontalFlip)
            : VerticalFlip ? nameof(VerticalFlip)
            : RotationRange > 0 ? nameof(RotationRange)
            : WidthShiftRange > 0 ? nameof(WidthShiftRange)
            : HeightShiftRange > 0 ? nameof(HeightShiftRange)
            : ZoomRange > 0 ? nameof(ZoomRange)
            : nameof(ErasingProbability);
        throw new ShapeMismatchException(
            $"Augmentation.{option} needs image samples of shape [height, width, channels]; the training data has sample shape [{string.Join(", ", sampleShape)}]. "
            + "Build the Dataset with sampleShape: [h, w, c] (Idx and FashionMnist loaders give [rows, cols, 1]); only GaussianNoise and MixupAlpha work on any shape.",
            $"Augmentation.{option}");
    }

    private static (double Min, double Max) CheckRange((double Min, double Max) value, double lo, double hi, string name)
    {
        if (!(value.Min > lo && value.Min <= value.Max && value.Max <= hi) || !double.IsFinite(value.Max))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must satisfy {lo} < Min ≤ Max ≤ {hi}, got ({value.Min}, {value.Max}).");
        }
        return value;
    }
}
