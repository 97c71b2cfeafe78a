namespace FuncReg.Generators.Model
{
    /// <summary>
    /// Everything the emitter needs about one <c>[Model]</c> class, and nothing else: strings, numbers and
    /// equatable arrays, no symbols, syntax or locations, so equal declarations give equal specs and the
    /// generator's cached output is reused.
    /// </summary>
    /// <param name="Namespace">The class's namespace, or null for the global namespace.</param>
    /// <param name="ClassName">The class's name.</param>
    /// <param name="Inputs">Values per sample (the product of <paramref name="InputShape"/> for images).</param>
    /// <param name="InputShape">[height, width, channels] of an image model (<c>[Model(InputShape = …)]</c>); empty for feature vectors (<c>Inputs = …</c>).</param>
    /// <param name="Loss">A <c>FuncReg.Loss</c> member name, or null to let <c>Sequential.Of</c> infer it.</param>
    /// <param name="FromLogits">Sequential.FromLogits.</param>
    /// <param name="LabelSmoothing">Sequential.LabelSmoothing.</param>
    /// <param name="Layers">The layers in source order.</param>
    internal sealed record ModelSpec(
        string? Namespace,
        string ClassName,
        int Inputs,
        EquatableArray<int> InputShape,
        string? Loss,
        bool FromLogits,
        double LabelSmoothing,
        EquatableArray<LayerSpec> Layers)
    {
        /// <summary>File name of the emitted source.</summary>
        public string HintName => (Namespace is null ? ClassName : Namespace + "." + ClassName) + ".g.cs";
    }

    /// <summary>ParseResult of one <c>[Model]</c> class: the spec (null when an error was found) and the diagnostics.</summary>
    internal sealed record ParseResult(ModelSpec? Model, EquatableArray<DiagnosticInfo> Diagnostics);
}
