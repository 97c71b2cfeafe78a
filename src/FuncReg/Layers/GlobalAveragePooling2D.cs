namespace FuncReg;

/// <summary>Keras <c>GlobalAveragePooling2D</c>: [h, w, c] → [c], <c>y[c] = (1/(h·w))·Σ_{iy, ix} x[iy, ix, c]</c>.</summary>
public sealed record GlobalAveragePooling2D : Layer
{
    public override string Kind => "global_average_pooling2d";

    internal override int[] OutputShape(int[] input, string name)
    {
        RequireImage(input, name);
        return [input[2]];
    }
}
