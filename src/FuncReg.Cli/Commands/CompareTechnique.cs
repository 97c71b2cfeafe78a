namespace FuncReg.Cli.Commands;

/// <summary>One row of <c>funcreg compare</c>: a model spec and how it changes the common fit options.</summary>
/// <param name="Key">Command-line name (<c>none</c>, <c>l1</c>, <c>early-stopping</c>…), picked with <c>--techniques</c>.</param>
/// <param name="Name">Display name with the hyperparameters.</param>
/// <param name="Spec">The network, with the technique's layers and penalties.</param>
/// <param name="Customize">Changes to the common <see cref="FitOptions"/> (callbacks, optimizer, augmentation).</param>
internal sealed record CompareTechnique(string Key, string Name, Sequential Spec, Func<FitOptions, FitOptions> Customize);

/// <summary>A comparison ready to run: the data (training part, validation part, test set), the common fit options and the techniques.</summary>
/// <param name="Title">One line: data, network, optimizer, epochs, seed.</param>
/// <param name="Notes">Sentences for the report explaining the setup.</param>
internal sealed record ComparisonSetup(
    string Title,
    IReadOnlyList<string> Notes,
    Dataset Train,
    Dataset Validation,
    Dataset Test,
    FitOptions Options,
    IReadOnlyList<CompareTechnique> Techniques);
