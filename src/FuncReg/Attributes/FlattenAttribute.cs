namespace FuncReg;

/// <summary>A <see cref="FuncReg.Flatten"/> layer: [h, w, c] → [h·w·c] in row-major (channels-last) order; no computation.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class FlattenAttribute : Attribute
{
}
