using FuncReg.Properties.Gens;

namespace FuncReg.Properties.Generated;

/// <summary>
/// The run-time compiled engine on random small CNNs (every image layer, padding, stride and penalty of
/// <see cref="ConvGens.Specs"/>) trains like the reference interpreter, with the same double rounding oracle
/// and tolerance as the generated models (<see cref="GeneratedModelProperties.Train"/>).
/// </summary>
public sealed class CompiledCnnProperties
{
    private static Gen<DeclaredModel> RandomCnns =>
        from s in ConvGens.Specs
        where s.Spec.Loss != Loss.BinaryCrossEntropy || s.Spec.Outputs == 1 // GeneratedModelGens.Batch draws integer labels for binary cross-entropy
        where !Degenerate(s.Spec)
        from threads in Gen.Elements(1, 2)
        select new DeclaredModel($"CompiledModel({s.Spec}), {threads} thread(s)", s.Spec, (seed, _) => new CompiledModel(s.Spec, seed, threads));

    /// <summary>
    /// Specs whose exact gradients are zero or whose values sit exactly on a kink, so two float engines would only
    /// compare rounding noise (the reason the declared models put UseBias = false before BatchNormalization):
    /// a per-channel shift or scale (bias of a linear Conv2D, β or γ of a BatchNormalization) reaching a
    /// BatchNormalization through shift-preserving layers, and a BatchNormalization reaching GlobalAveragePooling2D
    /// (whose output is then exactly β, zero at initialization: the kink of relu, elu and L1 activity).
    /// </summary>
    internal static bool Degenerate(Sequential spec)
    {
        IReadOnlyList<Layer> layers = spec.Layers;
        for (int j = 0; j < layers.Count; j++)
        {
            if (layers[j] is not (BatchNormalization or GlobalAveragePooling2D))
            {
                continue;
            }
            for (int i = j - 1; i >= 0; i--)
            {
                Layer l = layers[i];
                if (l is BatchNormalization || (l is Conv2D { Activation: Activation.Linear, UseBias: true } && layers[j] is BatchNormalization))
                {
                    return true;
                }
                bool passes = l is Pooling2D or SpatialDropout2D or ActivationLayer { Function: Activation.Linear } or Conv2D { Activation: Activation.Linear };
                if (!passes || layers[j] is GlobalAveragePooling2D && l is Conv2D)
                {
                    break;
                }
            }
        }
        return false;
    }

    /// <remarks>Pinned seed, as the generated-model property: float rounding of two engines is compared.</remarks>
    [Fact]
    public void Compiled_cnn_training_equals_the_reference_interpreter()
    {
        Support.Run.CheckPinned(Prop.ForAll(GeneratedModelGens.Cases(RandomCnns).ToArbitrary(), c =>
        {
            GeneratedModelProperties.Train(c);
            return true;
        }), 150, seed: 20261122, gamma: 0x9E3779B97F4A7C15);
    }
}
