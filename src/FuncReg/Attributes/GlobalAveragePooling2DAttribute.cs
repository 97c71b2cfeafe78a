namespace FuncReg;

/// <summary>A <see cref="FuncReg.GlobalAveragePooling2D"/> layer: [h, w, c] → [c], <c>y[c] = (1/(h·w))·Σ_{iy, ix} x[iy, ix, c]</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GlobalAveragePooling2DAttribute : Attribute
{
}
