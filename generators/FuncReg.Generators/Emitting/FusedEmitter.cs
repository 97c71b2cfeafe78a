using System.Collections.Generic;
using System.Linq;
using FuncReg.Generators.Model;

namespace FuncReg.Generators.Emitting
{
    /// <summary>
    /// Writes the specialized half of a generated model: one field per parameter and buffer, the parameter
    /// registration (Keras names and order, same initialization streams as the reference), and straight-line
    /// <c>Forward</c>/<c>Backward</c> passes with every size a constant. The math lives in the library's fused
    /// kernels (<c>DenseKernels</c>, <c>NoiseKernels</c>, <c>NormalizationOps</c>…); this only lays out buffers
    /// and sequences the calls, commenting where a fusion happens.
    /// </summary>
    internal static class FusedEmitter
    {
        private const string Lib = "global::FuncReg.";
        private const string K = "global::FuncReg.Kernels.";

        /// <summary>One step of the plan: a layer, or a Dense with the Dropout after it fused in.</summary>
        private sealed class Step
        {
            public Step(int index, LayerSpec layer, int inputs, int outputs)
            {
                Index = index;
                Layer = layer;
                Inputs = inputs;
                Outputs = outputs;
                Name = layer.Kind + "_" + Literals.Int(index);
                Field = Camel(layer.Kind) + Literals.Int(index);
            }

            public int Index { get; }

            public LayerSpec Layer { get; }

            public int Inputs { get; }

            public int Outputs { get; }

            /// <summary>Keras name: <c>dense_0</c>.</summary>
            public string Name { get; }

            /// <summary>Field prefix: <c>dense0</c>, <c>batchNorm1</c>.</summary>
            public string Field { get; }

            /// <summary>The Dropout fused into this Dense, and its layer index.</summary>
            public DropoutSpec? FusedDropout { get; set; }

            public int DropoutIndex { get; set; }

            /// <summary>Keeps f(z) apart from the masked output (sigmoid, tanh, elu under a mask need it backward).</summary>
            public bool KeepActivations { get; set; }

            public bool First { get; set; }

            /// <summary>Buffer holding this step's output.</summary>
            public string Output => Field + "Y";

            /// <summary>Buffer holding ∂L/∂input, written by the backward pass (null for the first step).</summary>
            public string? InputGradient => First && Layer is not (BatchNormalizationSpec or LayerNormalizationSpec) ? null : Field + "Dx";
        }

        public static void Write(SourceWriter w, ModelSpec model, string className)
        {
            List<Step> steps = Plan(model);
            WriteFields(w, steps);
            WriteConstructor(w, model, className, steps);
            WriteAllocate(w, steps);
            WriteForward(w, steps);
            WriteBackward(w, steps);
            WriteOutputs(w, steps);
        }

        private static List<Step> Plan(ModelSpec model)
        {
            var steps = new List<Step>();
            int features = model.Inputs;
            for (int i = 0; i < model.Layers.Count; i++)
            {
                LayerSpec layer = model.Layers[i];
                int outputs = layer is DenseSpec d ? d.Units : features;
                var step = new Step(i, layer, features, outputs) { First = steps.Count == 0 };
                if (layer is DenseSpec dense && i + 1 < model.Layers.Count - 1 && model.Layers[i + 1] is DropoutSpec drop &&
                    dense.Activation != "Softmax" && dense.ActivityL1 == 0 && dense.ActivityL2 == 0)
                {
                    step.FusedDropout = drop;
                    step.DropoutIndex = i + 1;
                    step.KeepActivations = dense.Activation is "Sigmoid" or "Tanh" or "Elu";
                    i++;
                }
                steps.Add(step);
                features = outputs;
            }
            return steps;
        }

        private static void WriteFields(SourceWriter w, List<Step> steps)
        {
            w.Line("// Parameters (values, gradients and optimizer slots live in FusedParameter) and per-layer buffers,");
            w.Line("// allocated once for the largest batch seen (Allocate) and reused: a steady-state step allocates nothing.");
            foreach (Step s in steps)
            {
                var buffers = new List<string> { s.Output };
                if (s.InputGradient is not null)
                {
                    buffers.Add(s.InputGradient);
                }
                switch (s.Layer)
                {
                    case DenseSpec d:
                        w.Line("private readonly " + Lib + "FusedParameter " + s.Field + "Kernel" + (d.UseBias ? ", " + s.Field + "Bias" : "") + ";");
                        buffers.Add(s.Field + "Z");
                        buffers.Add(s.Field + "Dz");
                        if (s.FusedDropout is not null)
                        {
                            buffers.Add(s.Field + "Mask");
                            w.Line("private bool " + s.Field + "Masked;");
                        }
                        if (s.KeepActivations)
                        {
                            buffers.Add(s.Field + "A");
                        }
                        if (d.ActivityL1 != 0 || d.ActivityL2 != 0)
                        {
                            w.Line("private static readonly " + Lib + "Regularizer " + s.Field + "Activity = " + Regularizer(d.ActivityL1, d.ActivityL2) + ";");
                            w.Line("private readonly int " + s.Field + "ActivityIndex;");
                        }
                        break;
                    case ActivationSpec:
                        buffers.Add(s.Field + "Z");
                        break;
                    case DropoutSpec or GaussianDropoutSpec or GaussianNoiseSpec:
                        buffers.Add(s.Field + "Noise");
                        w.Line("private bool " + s.Field + "Active;");
                        break;
                    case BatchNormalizationSpec:
                        w.Line("private readonly " + Lib + "FusedParameter " + s.Field + "Gamma, " + s.Field + "Beta, " + s.Field + "MovingMean, " + s.Field + "MovingVariance;");
                        w.Line("private readonly float[] " + s.Field + "Mean = new float[" + Literals.Int(s.Inputs) + "], " + s.Field + "Variance = new float[" + Literals.Int(s.Inputs) + "], " + s.Field + "InvStd = new float[" + Literals.Int(s.Inputs) + "];");
                        w.Line("private bool " + s.Field + "Training;");
                        buffers.Add(s.Field + "Xhat");
                        break;
                    case LayerNormalizationSpec:
                        w.Line("private readonly " + Lib + "FusedParameter " + s.Field + "Gamma, " + s.Field + "Beta;");
                        buffers.Add(s.Field + "Xhat");
                        buffers.Add(s.Field + "InvStd");
                        break;
                }
                w.Line("private float[] " + string.Join(" = [], ", buffers) + " = [];");
            }
            w.Line();
        }

        private static void WriteConstructor(SourceWriter w, ModelSpec model, string className, List<Step> steps)
        {
            w.Line("/// <summary>A new model; <paramref name=\"seed\"/> keys every random stream (initialization, shuffling, dropout, noise),");
            w.Line("/// <paramref name=\"threads\"/> sets the GEMM threads (results do not depend on it).</summary>");
            w.Line("public " + className + "(long seed = 0, int threads = 1)");
            w.Line("    : base(Spec, seed, threads)");
            w.Open();
            foreach (Step s in steps)
            {
                string shape = "[" + Literals.Int(s.Inputs) + "]";
                string role = Lib + "ParameterRole.";
                switch (s.Layer)
                {
                    case DenseSpec d:
                        {
                            string kernelShape = "[" + Literals.Int(s.Inputs) + ", " + Literals.Int(d.Units) + "]";
                            string fans = Literals.Int(s.Inputs) + ", " + Literals.Int(d.Units);
                            string constraint = d.MaxNorm > 0 ? "new " + Lib + "MaxNorm(" + Literals.Double(d.MaxNorm) + ")" : "null";
                            w.Line(s.Field + "Kernel = AddParameter(\"" + s.Name + ".kernel\", " + kernelShape + ", " + role + "Kernel, " + Regularizer(d.L1, d.L2) + ", " + constraint + ", " + Lib + "Initializer." + d.KernelInitializer + ", " + fans + ");");
                            if (d.UseBias)
                            {
                                w.Line(s.Field + "Bias = AddParameter(\"" + s.Name + ".bias\", [" + Literals.Int(d.Units) + "], " + role + "Bias, " + Regularizer(d.BiasL1, d.BiasL2) + ", null, " + Lib + "Initializer.Zeros, " + fans + ");");
                            }
                            if (d.ActivityL1 != 0 || d.ActivityL2 != 0)
                            {
                                w.Line(s.Field + "ActivityIndex = AddActivityPenalty(\"" + s.Name + "\");");
                            }
                            break;
                        }
                    case BatchNormalizationSpec:
                        w.Line(s.Field + "Gamma = AddParameter(\"" + s.Name + ".gamma\", " + shape + ", " + role + "Gamma, initializer: " + Lib + "Initializer.Ones);");
                        w.Line(s.Field + "Beta = AddParameter(\"" + s.Name + ".beta\", " + shape + ", " + role + "Beta);");
                        w.Line(s.Field + "MovingMean = AddParameter(\"" + s.Name + ".moving_mean\", " + shape + ", " + role + "MovingMean);");
                        w.Line(s.Field + "MovingVariance = AddParameter(\"" + s.Name + ".moving_variance\", " + shape + ", " + role + "MovingVariance, initializer: " + Lib + "Initializer.Ones);");
                        break;
                    case LayerNormalizationSpec:
                        w.Line(s.Field + "Gamma = AddParameter(\"" + s.Name + ".gamma\", " + shape + ", " + role + "Gamma, initializer: " + Lib + "Initializer.Ones);");
                        w.Line(s.Field + "Beta = AddParameter(\"" + s.Name + ".beta\", " + shape + ", " + role + "Beta);");
                        break;
                }
            }
            w.Line("CompleteRegistration();");
            w.Close();
            w.Line();
        }

        private static void WriteAllocate(SourceWriter w, List<Step> steps)
        {
            w.Line("/// <inheritdoc/>");
            w.Line("protected override void Allocate(int rows)");
            w.Open();
            foreach (Step s in steps)
            {
                string outs = "new float[rows * " + Literals.Int(s.Outputs) + "]";
                string ins = "new float[rows * " + Literals.Int(s.Inputs) + "]";
                var lines = new List<string> { s.Output + " = " + outs + ";" };
                if (s.InputGradient is not null)
                {
                    lines.Add(s.InputGradient + " = " + ins + ";");
                }
                switch (s.Layer)
                {
                    case DenseSpec:
                        lines.Add(s.Field + "Z = " + outs + ";");
                        lines.Add(s.Field + "Dz = " + outs + ";");
                        if (s.FusedDropout is not null)
                        {
                            lines.Add(s.Field + "Mask = " + outs + ";");
                        }
                        if (s.KeepActivations)
                        {
                            lines.Add(s.Field + "A = " + outs + ";");
                        }
                        break;
                    case ActivationSpec:
                        lines.Add(s.Field + "Z = " + ins + ";");
                        break;
                    case DropoutSpec or GaussianDropoutSpec or GaussianNoiseSpec:
                        lines.Add(s.Field + "Noise = " + ins + ";");
                        break;
                    case BatchNormalizationSpec:
                        lines.Add(s.Field + "Xhat = " + ins + ";");
                        break;
                    case LayerNormalizationSpec:
                        lines.Add(s.Field + "Xhat = " + ins + ";");
                        lines.Add(s.Field + "InvStd = new float[rows];");
                        break;
                }
                foreach (string line in lines)
                {
                    w.Line(line);
                }
            }
            w.Close();
            w.Line();
        }

        private static void WriteForward(SourceWriter w, List<Step> steps)
        {
            w.Line("/// <inheritdoc/>");
            w.Line("protected override void Forward(global::System.ReadOnlySpan<float> x, int n, bool training)");
            w.Open();
            string input = "x";
            foreach (Step s in steps)
            {
                string inSize = "n * " + Literals.Int(s.Inputs);
                string outSize = "n * " + Literals.Int(s.Outputs);
                string inSpan = input == "x" ? "x" : input + ".AsSpan(0, " + inSize + ")";
                switch (s.Layer)
                {
                    case DenseSpec d:
                        {
                            string act = Lib + "Activation." + d.Activation;
                            string alpha = Float(Alpha(d.Activation));
                            string bias = d.UseBias ? s.Field + "Bias.Values" : "null";
                            if (s.FusedDropout is { } drop)
                            {
                                w.Line("// " + s.Name + " + dropout_" + Literals.Int(s.DropoutIndex) + ": z = x·W" + (d.UseBias ? " + b" : "") + ", y = " + d.Activation.ToLowerInvariant() + "(z)·mask — bias, activation and the dropout mask fused into the GEMM epilogue");
                                w.Line(s.Field + "Masked = training;");
                                w.Line("if (training)");
                                w.Open();
                                w.Line(Lib + "NoiseOps.DropoutMask<float>(" + Literals.Double(drop.Rate) + ", " + Lib + "CounterRandom.Key(Seed, " + Lib + "RandomStreams.Layer(" + Literals.Int(s.DropoutIndex) + "), Step), " + s.Field + "Mask.AsSpan(0, " + outSize + "));");
                                w.Close();
                                string a = s.KeepActivations ? "training ? " + s.Field + "A : null" : "null";
                                w.Line(K + "DenseKernels.Forward(GemmContext, " + inSpan + ", " + s.Field + "Kernel.Values, " + bias + ", " + s.Field + "Z, " + a + ", " + s.Output + ", training ? " + s.Field + "Mask : null, " + act + ", " + alpha + ", n, " + Literals.Int(s.Inputs) + ", " + Literals.Int(s.Outputs) + ");");
                            }
                            else
                            {
                                string what = d.Activation == "Softmax" ? "softmax applied row-wise after the GEMM" : "bias and activation fused into the GEMM epilogue";
                                w.Line("// " + s.Name + ": z = x·W" + (d.UseBias ? " + b" : "") + ", y = " + d.Activation.ToLowerInvariant() + "(z) — " + what);
                                w.Line(K + "DenseKernels.Forward(GemmContext, " + inSpan + ", " + s.Field + "Kernel.Values, " + bias + ", " + s.Field + "Z, null, " + s.Output + ", null, " + act + ", " + alpha + ", n, " + Literals.Int(s.Inputs) + ", " + Literals.Int(s.Outputs) + ");");
                            }
                            break;
                        }
                    case ActivationSpec a:
                        w.Line("// " + s.Name + ": y = " + a.Function.ToLowerInvariant() + "(x)");
                        w.Line(inSpan + ".CopyTo(" + s.Field + "Z);");
                        if (a.Function == "Softmax")
                        {
                            w.Line(Lib + "ActivationFunctions.Softmax<float>(" + s.Field + "Z.AsSpan(0, " + inSize + "), " + s.Output + ".AsSpan(0, " + outSize + "), " + Literals.Int(s.Inputs) + ");");
                        }
                        else
                        {
                            w.Line(K + "ActivationKernels.Forward(" + Lib + "Activation." + a.Function + ", " + Float(Alpha(a.Function)) + ", " + s.Field + "Z.AsSpan(0, " + inSize + "), " + s.Output + ".AsSpan(0, " + outSize + "));");
                        }
                        break;
                    case DropoutSpec or GaussianDropoutSpec or GaussianNoiseSpec:
                        w.Line("// " + s.Name + ": noise from stream layer(" + Literals.Int(s.Index) + ") at this step in training, identity in inference");
                        w.Line(s.Field + "Active = training;");
                        w.Line("if (training)");
                        w.Open();
                        w.Line(K + "NoiseKernels.Forward(Spec.Layers[" + Literals.Int(s.Index) + "], " + Literals.Int(s.Index) + ", Seed, Step, " + inSpan + ", " + s.Field + "Noise, " + s.Output + ");");
                        w.Close();
                        w.Line("else");
                        w.Open();
                        w.Line(inSpan + ".CopyTo(" + s.Output + ");");
                        w.Close();
                        break;
                    case BatchNormalizationSpec b:
                        w.Line("// " + s.Name + ": batch statistics (and their running update) in training, running statistics in inference");
                        w.Line(s.Field + "Training = training;");
                        w.Line("if (training)");
                        w.Open();
                        w.Line(Lib + "NormalizationOps.BatchForwardTraining<float>(" + inSpan + ", " + s.Field + "Gamma.Values, " + s.Field + "Beta.Values, " + Literals.Double(b.Epsilon) + ", " + s.Field + "Xhat.AsSpan(0, " + inSize + "), " + s.Output + ".AsSpan(0, " + outSize + "), " + s.Field + "Mean, " + s.Field + "Variance, " + s.Field + "InvStd, n, " + Literals.Int(s.Inputs) + ");");
                        w.Line(Lib + "NormalizationOps.UpdateRunning<float>(" + s.Field + "MovingMean.Values, " + s.Field + "Mean, " + Literals.Double(b.Momentum) + ");");
                        w.Line(Lib + "NormalizationOps.UpdateRunning<float>(" + s.Field + "MovingVariance.Values, " + s.Field + "Variance, " + Literals.Double(b.Momentum) + ");");
                        w.Close();
                        w.Line("else");
                        w.Open();
                        w.Line(Lib + "NormalizationOps.BatchForwardInference<float>(" + inSpan + ", " + s.Field + "Gamma.Values, " + s.Field + "Beta.Values, " + s.Field + "MovingMean.Values, " + s.Field + "MovingVariance.Values, " + Literals.Double(b.Epsilon) + ", " + s.Output + ".AsSpan(0, " + outSize + "), n, " + Literals.Int(s.Inputs) + ");");
                        w.Close();
                        break;
                    case LayerNormalizationSpec l:
                        w.Line("// " + s.Name + ": per-sample statistics");
                        w.Line(Lib + "NormalizationOps.LayerForward<float>(" + inSpan + ", " + s.Field + "Gamma.Values, " + s.Field + "Beta.Values, " + Literals.Double(l.Epsilon) + ", " + s.Field + "Xhat.AsSpan(0, " + inSize + "), " + s.Output + ".AsSpan(0, " + outSize + "), " + s.Field + "InvStd, n, " + Literals.Int(s.Inputs) + ");");
                        break;
                }
                input = s.Output;
            }
            w.Close();
            w.Line();
        }

        private static void WriteBackward(SourceWriter w, List<Step> steps)
        {
            w.Line("/// <inheritdoc/>");
            w.Line("protected override void Backward(global::System.ReadOnlySpan<float> x, global::System.ReadOnlySpan<float> outputGradient, int n)");
            w.Open();
            for (int i = steps.Count - 1; i >= 0; i--)
            {
                Step s = steps[i];
                bool last = i == steps.Count - 1;
                string dy = last ? "outputGradient" : steps[i + 1].InputGradient + ".AsSpan(0, n * " + Literals.Int(s.Outputs) + ")";
                string input = i == 0 ? "x" : steps[i - 1].Output + ".AsSpan(0, n * " + Literals.Int(s.Inputs) + ")";
                string inSize = "n * " + Literals.Int(s.Inputs);
                switch (s.Layer)
                {
                    case DenseSpec d:
                        {
                            bool activity = d.ActivityL1 != 0 || d.ActivityL2 != 0;
                            string mask = s.FusedDropout is not null ? s.Field + "Masked ? " + s.Field + "Mask : null" : "null";
                            string a = s.KeepActivations ? s.Field + "Masked ? " + s.Field + "A : null" : "null";
                            w.Line("// " + s.Name + ": dz = dy" + (s.FusedDropout is not null ? "·mask" : "") + "·" + d.Activation.ToLowerInvariant() + "′(z) in one pass" + (last ? " (or dz = dy from a fused loss head)" : "") + ", then dW = xᵀ·dz, db = Σ dz" + (s.InputGradient is not null ? ", dx = dz·Wᵀ" : ""));
                            w.Line(K + "DenseKernels.Backward(GemmContext, " + input + ", " + s.Field + "Kernel.Values, " + s.Field + "Kernel.Gradient, " + (d.UseBias ? s.Field + "Bias.Gradient" : "null") + ", " + s.Field + "Z, " + a + ", " + s.Output + ", " + mask + ", " + dy + ", " + s.Field + "Dz, " + (s.InputGradient ?? "null") + ", " + Lib + "Activation." + d.Activation + ", " + Float(Alpha(d.Activation)) + ", " + (activity ? s.Field + "Activity" : "null") + ", " + (last ? "Head != " + Lib + "LossHead.Generic" : "false") + ", n, " + Literals.Int(s.Inputs) + ", " + Literals.Int(s.Outputs) + ");");
                            break;
                        }
                    case ActivationSpec act:
                        if (s.InputGradient is null)
                        {
                            break;
                        }
                        w.Line("// " + s.Name + ": dx = " + act.Function.ToLowerInvariant() + "′·dy");
                        if (last)
                        {
                            w.Line("if (Head != " + Lib + "LossHead.Generic)");
                            w.Open();
                            w.Line(dy + ".CopyTo(" + s.InputGradient + ");");
                            w.Close();
                            w.Line("else");
                            w.Open();
                        }
                        if (act.Function == "Softmax")
                        {
                            w.Line(Lib + "ActivationFunctions.Backward<float>(" + Lib + "Activation.Softmax, 0, " + s.Field + "Z.AsSpan(0, " + inSize + "), " + s.Output + ".AsSpan(0, " + inSize + "), " + dy + ", " + s.InputGradient + ".AsSpan(0, " + inSize + "), " + Literals.Int(s.Inputs) + ");");
                        }
                        else
                        {
                            w.Line(K + "ActivationKernels.Backward(" + Lib + "Activation." + act.Function + ", " + Float(Alpha(act.Function)) + ", " + s.Field + "Z.AsSpan(0, " + inSize + "), " + s.Output + ".AsSpan(0, " + inSize + "), default, " + dy + ", " + s.InputGradient + ".AsSpan(0, " + inSize + "));");
                        }
                        if (last)
                        {
                            w.Close();
                        }
                        break;
                    case DropoutSpec or GaussianDropoutSpec or GaussianNoiseSpec:
                        if (s.InputGradient is null)
                        {
                            break;
                        }
                        w.Line("// " + s.Name + ": dx = dy·noise (the same draws as the forward pass)");
                        w.Line("if (" + s.Field + "Active)");
                        w.Open();
                        w.Line(K + "NoiseKernels.Backward(Spec.Layers[" + Literals.Int(s.Index) + "], " + dy + ", " + s.Field + "Noise, " + s.InputGradient + ");");
                        w.Close();
                        w.Line("else");
                        w.Open();
                        w.Line(dy + ".CopyTo(" + s.InputGradient + ");");
                        w.Close();
                        break;
                    case BatchNormalizationSpec b:
                        {
                            w.Line("// " + s.Name + ": dγ, dβ and dx");
                            string dx = s.InputGradient + ".AsSpan(0, " + inSize + ")";
                            w.Line("if (" + s.Field + "Training)");
                            w.Open();
                            w.Line(Lib + "NormalizationOps.BatchBackwardTraining<float>(" + dy + ", " + s.Field + "Xhat.AsSpan(0, " + inSize + "), " + s.Field + "Gamma.Values, " + s.Field + "InvStd, " + dx + ", Cleared(" + s.Field + "Gamma.Gradient), Cleared(" + s.Field + "Beta.Gradient), n, " + Literals.Int(s.Inputs) + ");");
                            w.Close();
                            w.Line("else");
                            w.Open();
                            w.Line(Lib + "NormalizationOps.BatchBackwardInference<float>(" + input + ", " + dy + ", " + s.Field + "Gamma.Values, " + s.Field + "MovingMean.Values, " + s.Field + "MovingVariance.Values, " + Literals.Double(b.Epsilon) + ", " + dx + ", Cleared(" + s.Field + "Gamma.Gradient), Cleared(" + s.Field + "Beta.Gradient), n, " + Literals.Int(s.Inputs) + ");");
                            w.Close();
                            break;
                        }
                    case LayerNormalizationSpec:
                        {
                            w.Line("// " + s.Name + ": dγ, dβ and dx");
                            string dx = s.InputGradient + ".AsSpan(0, " + inSize + ")";
                            w.Line(Lib + "NormalizationOps.LayerBackward<float>(" + dy + ", " + s.Field + "Xhat.AsSpan(0, " + inSize + "), " + s.Field + "Gamma.Values, " + s.Field + "InvStd, " + dx + ", Cleared(" + s.Field + "Gamma.Gradient), Cleared(" + s.Field + "Beta.Gradient), n, " + Literals.Int(s.Inputs) + ");");
                            break;
                        }
                }
            }
            w.Close();
            w.Line();
        }

        private static void WriteOutputs(SourceWriter w, List<Step> steps)
        {
            Step last = steps[steps.Count - 1];
            w.Line("/// <inheritdoc/>");
            w.Line("protected override float[] Outputs => " + last.Output + ";");
            w.Line();
            w.Line("/// <inheritdoc/>");
            w.Line("protected override float[] Logits => " + (last.Layer is DenseSpec or ActivationSpec ? last.Field + "Z" : last.Output) + ";");
            List<Step> activity = steps.Where(s => s.Layer is DenseSpec d && (d.ActivityL1 != 0 || d.ActivityL2 != 0)).ToList();
            if (activity.Count > 0)
            {
                w.Line();
                w.Line("/// <inheritdoc/>");
                w.Line("protected override double ActivityPenalties(int n, global::System.Span<double> penalties)");
                w.Open();
                w.Line("double total = 0;");
                foreach (Step s in activity)
                {
                    w.Line("total += ActivityPenalty(" + s.Field + "Activity, " + s.Output + ".AsSpan(0, n * " + Literals.Int(s.Outputs) + "), n, " + s.Field + "ActivityIndex, penalties);");
                }
                w.Line("return total;");
                w.Close();
            }
        }

        private static string Regularizer(double l1, double l2) =>
            l1 == 0 && l2 == 0 ? "null" : Lib + "Regularizer.L1L2(" + Literals.Double(l1) + ", " + Literals.Double(l2) + ")";

        private static double Alpha(string activation) => activation == "LeakyRelu" ? 0.2 : activation == "Elu" ? 1.0 : 0.0;

        private static string Float(double value) => Literals.Double(value) + "f";

        private static string Camel(string kind)
        {
            string[] parts = kind.Split('_');
            return parts[0] + string.Concat(parts.Skip(1).Select(p => char.ToUpperInvariant(p[0]) + p.Substring(1)));
        }
    }
}
