namespace FuncReg;

/// <summary>
/// The geometry of a 2-D sliding window over a channels-last [h, w, c] input: window (kh, kw), strides
/// (sh, sw), output (oh, ow) and the padding before each axis (see <see cref="Padding"/> for the rule).
/// Output pixel (oy, ox) reads input rows <c>oy·sh − padTop + ky</c> and columns <c>ox·sw − padLeft + kx</c>,
/// ky &lt; kh, kx &lt; kw; positions outside the input are padding.
/// </summary>
public readonly record struct Window2D(int Height, int Width, int Channels, int KernelHeight, int KernelWidth, int StrideHeight, int StrideWidth, int OutputHeight, int OutputWidth, int PadTop, int PadLeft)
{
    /// <summary>Values per input sample, h·w·c.</summary>
    public int InputSize => Height * Width * Channels;

    /// <summary>Output pixels per sample, oh·ow.</summary>
    public int OutputPixels => OutputHeight * OutputWidth;

    /// <summary>Length of one im2col row, kh·kw·c.</summary>
    public int PatchSize => KernelHeight * KernelWidth * Channels;

    /// <summary>
    /// The window of <paramref name="kernel"/> and <paramref name="strides"/> over an [h, w, c] input, or null when
    /// a valid-padded window does not fit (the input is smaller than the window along some axis).
    /// </summary>
    public static Window2D? TryCreate(int height, int width, int channels, (int Height, int Width) kernel, (int Height, int Width) strides, Padding padding)
    {
        (int oh, int top) = Axis(height, kernel.Height, strides.Height, padding);
        (int ow, int left) = Axis(width, kernel.Width, strides.Width, padding);
        return oh < 1 || ow < 1 ? null : new Window2D(height, width, channels, kernel.Height, kernel.Width, strides.Height, strides.Width, oh, ow, top, left);
    }

    /// <summary>Output length and padding before, along one axis.</summary>
    public static (int Output, int PadBefore) Axis(int input, int window, int stride, Padding padding)
    {
        if (padding == Padding.Valid)
        {
            return (input < window ? 0 : ((input - window) / stride) + 1, 0);
        }
        // in long: a window or stride near int.MaxValue must not overflow (the padding itself is < window)
        int output = (int)(((long)input + stride - 1) / stride);
        long total = Math.Max((((long)output - 1) * stride) + window - input, 0);
        return (output, (int)(total / 2));
    }
}
