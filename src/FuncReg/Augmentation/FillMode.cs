namespace FuncReg;

/// <summary>
/// How a geometric augmentation fills points that map outside the image (Keras's <c>fill_mode</c>), for a row
/// <c>abcd</c>: the source index is mapped back into [0, n) before sampling.
/// </summary>
public enum FillMode
{
    /// <summary><c>aaaa|abcd|dddd</c>: the nearest edge pixel (Keras's default).</summary>
    Nearest,

    /// <summary><c>kkkk|abcd|kkkk</c>: the constant <see cref="Augmentation.CValue"/>.</summary>
    Constant,

    /// <summary><c>dcba|abcd|dcba</c>: mirrored about the edge, the edge pixel repeated.</summary>
    Reflect,

    /// <summary><c>abcd|abcd|abcd</c>: periodic, the image tiled.</summary>
    Wrap,
}
