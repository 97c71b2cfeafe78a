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
            public Step(int index, LayerSpec layer, int[] inShape, int[] outShape)
            {
                Index = index;
                Layer = layer;
                InShape = inShape;
                OutShape = outShape;
                Inputs = Shapes.Size(inShape);
                Outputs = Shapes.Size(outShape);
                Window = Shapes.WindowOf(layer, inShape);
                Name = layer.Kind + "_" + Literals.Int(index);
                Field = Camel(layer.Kind) + Literals.Int(index);
            }

            public int Index { get; }

            public LayerSpec Layer { get; }

            public int Inputs { get; }

            public int Outputs { get; }

            /// <summary>Shape of one input sample: [features] or [height, width, channels].</summary>
            public int[] InShape { get; }

            public int[] OutShape { get; }

            /// <summary>Channels of the input (its last axis; the features of a flat input).</summary>
            public int Channels => InShape[InShape.Length - 1];

            /// <summary>Pixels per input sample (h·w; 1 for a flat input): the rows each sample adds to a per-channel pass.</summary>
            public int Positions => Inputs / Channels;

            /// <summary>The sliding window of a Conv2D or pooling step over its input.</summary>
            public WindowGeometry? Window { get; }

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

            /// <summary>
            /// An Activation step keeps a copy of its input (z) only when it is the last step (the loss head reads the logits)
            /// or a softmax; otherwise its backward pass reads z from the previous step's output, unchanged until then.
            /// </summary>
            public bool KeepPreActivation { get; set; }

            /// <summary>
            /// On a channel BatchNormalization step: the ReLU step right after it, fused into its training passes (the
            /// normalize pass writes relu(y) into the ReLU's output; the gradient passes apply relu′ to the ReLU's dy).
            /// </summary>
            public Step? FusedRelu { get; set; }

            /// <summary>On that ReLU step: the batch norm that runs it in training (it still runs itself in inference).</summary>
            public Step? FusedInto { get; set; }

            /// <summary>Buffer holding this step's output.</summary>
            public string Output => Field + "Y";

            /// <summary>Buffer holding ∂L/∂input, written by the backward pass (null for the first step).</summary>
            public string? InputGradient => First && Layer is not (BatchNormalizationSpec or LayerNormalizationSpec) ? null : Field + "Dx";
        }

        /// <summary>A Conv2D or pooling step's window as a constant, with its workspace (the cached delegates of its threaded passes).</summary>
        private static void WriteWindow(SourceWriter w, Step s)
        {
            WindowGeometry g = s.Window!;
            string padding = s.Layer is Conv2DSpec c ? c.Padding : ((Pooling2DSpec)s.Layer).Padding;
            w.Line("// " + s.Name + ": " + Shapes.Format(s.InShape) + " → " + Shapes.Format(s.OutShape) + ", " + Literals.Int(g.KernelHeight) + "×" + Literals.Int(g.KernelWidth) + " window, strides " + Literals.Int(g.StrideHeight) + "×" + Literals.Int(g.StrideWidth) + ", " + padding.ToLowerInvariant() + " padding" + (g.PadTop != 0 || g.PadLeft != 0 ? " (pad top " + Literals.Int(g.PadTop) + ", left " + Literals.Int(g.PadLeft) + ")" : ""));
            w.Line("private static readonly " + Lib + "Window2D " + s.Field + "Window = new(" + string.Join(", ", new[] { g.Height, g.Width, g.Channels, g.KernelHeight, g.KernelWidth, g.StrideHeight, g.StrideWidth, g.OutputHeight, g.OutputWidth, g.PadTop, g.PadLeft }.Select(Literals.Int)) + ");");
            if (s.Layer is Conv2DSpec || s.Layer is Pooling2DSpec { Max: true })
            {
                w.Line("private readonly " + K + "ConvWorkspace " + s.Field + "Work = new(" + s.Field + "Window" + (s.Layer is Conv2DSpec conv ? ", " + Literals.Int(conv.Filters) : "") + ");" + (s.Layer is Conv2DSpec && !s.Window!.Pointwise && s.InputGradient is not null ? " // holds the input gradient's per-thread scratch" : ""));
            }
        }

        public static void Write(SourceWriter w, ModelSpec model, string className)
        {
            List<Step> steps = Plan(model);
            WriteFields(w, steps);
            WriteConstructor(w, model, className, steps);
            WriteAllocate(w, steps);
            WriteForward(w, model, steps);
            WriteBackward(w, steps);
            WriteOutputs(w, steps);
        }

        private static List<Step> Plan(ModelSpec model)
        {
            var steps = new List<Step>();
            int[][] shapes = Shapes.Of(model);
            for (int i = 0; i < model.Layers.Count; i++)
            {
                LayerSpec layer = model.Layers[i];
                if (layer is FlattenSpec)
                {
                    continue; // channels-last rows are already flat: the next step reads the same buffer
                }
                var step = new Step(i, layer, shapes[i], shapes[i + 1]) { First = steps.Count == 0 };
                if (layer is DenseSpec dense && i + 1 < model.Layers.Count - 1 && model.Layers[i + 1] is DropoutSpec drop &&
                    dense.Activation != "Softmax" && dense.ActivityL1 == 0 && dense.ActivityL2 == 0)
                {
                    step.FusedDropout = drop;
                    step.DropoutIndex = i + 1;
                    step.KeepActivations = dense.Activation is "Sigmoid" or "Tanh" or "Elu";
                    i++;
                }
                steps.Add(step);
            }
            foreach (Step s in steps)
            {
                s.KeepPreActivation = s.Layer is ActivationSpec a && (s == steps[steps.Count - 1] || a.Function == "Softmax");
            }
            for (int k = 0; k + 1 < steps.Count; k++)
            {
                if (steps[k].Layer is BatchNormalizationSpec && steps[k].Positions > 1 && steps[k + 1].Layer is ActivationSpec { Function: "Relu" } && !steps[k + 1].KeepPreActivation)
                {
                    steps[k].FusedRelu = steps[k + 1];
                    steps[k + 1].FusedInto = steps[k];
                }
            }
            if (steps.Count == 0)
            {
                // only Flatten layers: one step copies the input to the output
                int last = model.Layers.Count - 1;
                steps.Add(new Step(last, model.Layers[last], shapes[last], shapes[last + 1]) { First = true });
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
                    case ActivationSpec when s.KeepPreActivation:
                        buffers.Add(s.Field + "Z");
                        break;
                    case DropoutSpec or GaussianDropoutSpec or GaussianNoiseSpec:
                        buffers.Add(s.Field + "Noise");
                        w.Line("private bool " + s.Field + "Active;");
                        break;
                    case BatchNormalizationSpec:
                        w.Line("private readonly " + Lib + "FusedParameter " + AffineFields(s) + s.Field + "MovingMean, " + s.Field + "MovingVariance;");
                        WriteFixedAffine(w, s);
                        w.Line("private readonly float[] " + s.Field + "Mean = new float[" + Literals.Int(s.Channels) + "], " + s.Field + "Variance = new float[" + Literals.Int(s.Channels) + "], " + s.Field + "InvStd = new float[" + Literals.Int(s.Channels) + "];");
                        w.Line("private bool " + s.Field + "Training;");
                        if (s.Positions > 1)
                        {
                            w.Line("private " + K + "ChannelBatchNorm? " + s.Field + "Channels;");
                        }
                        buffers.Add(s.Field + "Xhat");
                        break;
                    case LayerNormalizationSpec:
                        if (AffineFields(s).Length > 0)
                        {
                            w.Line("private readonly " + Lib + "FusedParameter " + AffineFields(s).TrimEnd(' ', ',') + ";");
                        }
                        WriteFixedAffine(w, s);
                        buffers.Add(s.Field + "Xhat");
                        buffers.Add(s.Field + "InvStd");
                        break;
                    case Conv2DSpec c:
                        WriteWindow(w, s);
                        w.Line("private readonly " + Lib + "FusedParameter " + s.Field + "Kernel" + (c.UseBias ? ", " + s.Field + "Bias" : "") + ";");
                        buffers.Add(s.Field + "Z");
                        buffers.Add(s.Field + "Dz");
                        if (c.HasActivity)
                        {
                            buffers.Add(s.Field + "ActivityDy");
                            w.Line("private static readonly " + Lib + "Regularizer " + s.Field + "Activity = " + Regularizer(c.ActivityL1, c.ActivityL2) + ";");
                            w.Line("private readonly int " + s.Field + "ActivityIndex;");
                        }
                        break;
                    case Pooling2DSpec p:
                        WriteWindow(w, s);
                        if (p.Max)
                        {
                            w.Line("private int[] " + s.Field + "Argmax = [];");
                        }
                        break;
                    case SpatialDropout2DSpec:
                        buffers.Add(s.Field + "Mask");
                        w.Line("private bool " + s.Field + "Active;");
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
                string shape = "[" + Literals.Int(s.Channels) + "]";
                string role = Lib + "ParameterRole.";
                switch (s.Layer)
                {
                    case DenseSpec d:
                        {
                            string kernelShape = "[" + Literals.Int(s.Inputs) + ", " + Literals.Int(d.Units) + "]";
                            string fans = Literals.Int(s.Inputs) + ", " + Literals.Int(d.Units);
                            string constraint = d.KernelConstraint is null ? "null" : Emitter.ConstraintExpression(d.KernelConstraint);
                            w.Line(s.Field + "Kernel = AddParameter(\"" + s.Name + ".kernel\", " + kernelShape + ", " + role + "Kernel, " + Regularizer(d.L1, d.L2) + ", " + constraint + ", " + Lib + "Initializer." + d.KernelInitializer + ", " + fans + ");");
                            if (d.UseBias)
                            {
                                w.Line(s.Field + "Bias = AddParameter(\"" + s.Name + ".bias\", [" + Literals.Int(d.Units) + "], " + role + "Bias, " + Regularizer(d.BiasL1, d.BiasL2) + ", null, " + Lib + "Initializer." + d.BiasInitializer + ", " + fans + ");");
                            }
                            if (d.ActivityL1 != 0 || d.ActivityL2 != 0)
                            {
                                w.Line(s.Field + "ActivityIndex = AddActivityPenalty(\"" + s.Name + "\");");
                            }
                            break;
                        }
                    case BatchNormalizationSpec:
                        WriteAffineRegistration(w, s, shape, role);
                        w.Line(s.Field + "MovingMean = AddParameter(\"" + s.Name + ".moving_mean\", " + shape + ", " + role + "MovingMean);");
                        w.Line(s.Field + "MovingVariance = AddParameter(\"" + s.Name + ".moving_variance\", " + shape + ", " + role + "MovingVariance, initializer: " + Lib + "Initializer.Ones);");
                        break;
                    case LayerNormalizationSpec:
                        WriteAffineRegistration(w, s, shape, role);
                        break;
                    case Conv2DSpec c:
                        {
                            // Keras layout [kh, kw, cin, filters]; Glorot fans kh·kw·cin and kh·kw·filters
                            int area = c.KernelHeight * c.KernelWidth;
                            string kernelShape = "[" + Literals.Int(c.KernelHeight) + ", " + Literals.Int(c.KernelWidth) + ", " + Literals.Int(s.Channels) + ", " + Literals.Int(c.Filters) + "]";
                            string fans = Literals.Int(area * s.Channels) + ", " + Literals.Int(area * c.Filters);
                            string constraint = c.KernelConstraint is null ? "null" : Emitter.ConstraintExpression(c.KernelConstraint);
                            w.Line(s.Field + "Kernel = AddParameter(\"" + s.Name + ".kernel\", " + kernelShape + ", " + role + "Kernel, " + Regularizer(c.L1, c.L2) + ", " + constraint + ", " + Lib + "Initializer." + c.KernelInitializer + ", " + fans + ");");
                            if (c.UseBias)
                            {
                                w.Line(s.Field + "Bias = AddParameter(\"" + s.Name + ".bias\", [" + Literals.Int(c.Filters) + "], " + role + "Bias, " + Regularizer(c.BiasL1, c.BiasL2) + ", null, " + Lib + "Initializer." + c.BiasInitializer + ", " + fans + ");");
                            }
                            if (c.HasActivity)
                            {
                                w.Line(s.Field + "ActivityIndex = AddActivityPenalty(\"" + s.Name + "\");");
                            }
                            break;
                        }
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
                    case ActivationSpec when s.KeepPreActivation:
                        lines.Add(s.Field + "Z = " + ins + ";");
                        break;
                    case DropoutSpec or GaussianDropoutSpec or GaussianNoiseSpec:
                        lines.Add(s.Field + "Noise = " + ins + ";");
                        break;
                    case BatchNormalizationSpec:
                        lines.Add(s.Field + "Xhat = " + ins + ";");
                        if (s.Positions > 1)
                        {
                            lines.Add(s.Field + "Channels = new " + K + "ChannelBatchNorm(" + Literals.Int(s.Channels) + ", rows * " + Literals.Int(s.Positions) + ");");
                        }
                        break;
                    case LayerNormalizationSpec:
                        lines.Add(s.Field + "Xhat = " + ins + ";");
                        lines.Add(s.Field + "InvStd = new float[" + (s.Positions > 1 ? "rows * " + Literals.Int(s.Positions) : "rows") + "];");
                        break;
                    case Conv2DSpec c:
                        lines.Add(s.Field + "Work.Allocate(rows);" + (s.Window!.Pointwise ? " // pointwise: reads its input in place" : " // the GEMMs build the im2col rows (" + Literals.Int(s.Window.OutputPixels) + " of " + Literals.Int(s.Window.PatchSize) + " per sample) while packing: no column buffer"));
                        lines.Add(s.Field + "Z = " + (c.Activation == "Linear" && !c.HasActivity ? s.Output + "; // linear: the GEMM epilogue writes the output in place" : outs + ";"));
                        lines.Add(s.Field + "Dz = " + outs + ";");
                        if (c.HasActivity)
                        {
                            lines.Add(s.Field + "ActivityDy = " + outs + ";");
                        }
                        break;
                    case Pooling2DSpec { Max: true }:
                        lines.Add(s.Field + "Argmax = new int[rows * " + Literals.Int(s.Outputs) + "];");
                        break;
                    case SpatialDropout2DSpec:
                        lines.Add(s.Field + "Mask = new float[rows * " + Literals.Int(s.Channels) + "];");
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

        private static void WriteForward(SourceWriter w, ModelSpec model, List<Step> steps)
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
                            string alpha = Float(Alpha(d.Activation, d.Alpha));
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
                    case ActivationSpec a when s.FusedInto is { } bn:
                        w.Line("// " + s.Name + ": y = relu(x) — in training " + bn.Name + " wrote it in its normalize pass; in inference here");
                        w.Line("if (!" + bn.Field + "Training)");
                        w.Open();
                        w.Line(K + "ActivationKernels.Forward(GemmContext, " + Lib + "Activation." + a.Function + ", " + Float(Alpha(a.Function, a.Alpha)) + ", " + inSpan + ", " + s.Output + ".AsSpan(0, " + outSize + "));");
                        w.Close();
                        break;
                    case ActivationSpec a when !s.KeepPreActivation:
                        w.Line("// " + s.Name + ": y = " + a.Function.ToLowerInvariant() + "(x), x kept in " + (inSpan == "x" ? "the batch" : input) + " for the backward pass");
                        w.Line(K + "ActivationKernels.Forward(GemmContext, " + Lib + "Activation." + a.Function + ", " + Float(Alpha(a.Function, a.Alpha)) + ", " + inSpan + ", " + s.Output + ".AsSpan(0, " + outSize + "));");
                        break;
                    case ActivationSpec a:
                        w.Line("// " + s.Name + ": y = " + a.Function.ToLowerInvariant() + "(x)");
                        w.Line(inSpan + ".CopyTo(" + s.Field + "Z);");
                        if (a.Function == "Softmax")
                        {
                            w.Line(Lib + "ActivationFunctions.Softmax<float>(" + s.Field + "Z.AsSpan(0, " + inSize + "), " + s.Output + ".AsSpan(0, " + outSize + "), " + Literals.Int(s.Inputs) + ");");
                        }
                        else
                        {
                            w.Line(K + "ActivationKernels.Forward(GemmContext, " + Lib + "Activation." + a.Function + ", " + Float(Alpha(a.Function, a.Alpha)) + ", " + s.Field + "Z.AsSpan(0, " + inSize + "), " + s.Output + ".AsSpan(0, " + outSize + "));");
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
                        if (s.Positions > 1)
                        {
                            w.Line("// per channel over the n·" + Literals.Int(s.Positions) + " pixels of the batch: vectorized across channels, block sums in a fixed order (same on any thread count)");
                            if (s.FusedRelu is { } relu)
                            {
                                w.Line("// " + relu.Name + " fused: the normalize pass writes relu(γ·x̂ + β) straight into " + relu.Output + "; y itself is not stored");
                            }
                            string bnOut = s.FusedRelu is null ? s.Output : s.FusedRelu.Output;
                            w.Line(s.Field + "Channels!.Forward(GemmContext, " + inSpan + ", " + GammaValues(s) + ", " + BetaValues(s) + ", " + Literals.Double(b.Epsilon) + ", " + s.Field + "Xhat.AsSpan(0, " + inSize + "), " + bnOut + ".AsSpan(0, " + outSize + "), " + s.Field + "Mean, " + s.Field + "Variance, " + s.Field + "InvStd, " + Rows(s) + (s.FusedRelu is null ? "" : ", relu: true") + ");");
                        }
                        else
                        {
                            w.Line(Lib + "NormalizationOps.BatchForwardTraining<float>(" + inSpan + ", " + GammaValues(s) + ", " + BetaValues(s) + ", " + Literals.Double(b.Epsilon) + ", " + s.Field + "Xhat.AsSpan(0, " + inSize + "), " + s.Output + ".AsSpan(0, " + outSize + "), " + s.Field + "Mean, " + s.Field + "Variance, " + s.Field + "InvStd, " + Rows(s) + ", " + Literals.Int(s.Channels) + ");");
                        }
                        w.Line(Lib + "NormalizationOps.UpdateRunning<float>(" + s.Field + "MovingMean.Values, " + s.Field + "Mean, " + Literals.Double(b.Momentum) + ");");
                        w.Line(Lib + "NormalizationOps.UpdateRunning<float>(" + s.Field + "MovingVariance.Values, " + s.Field + "Variance, " + Literals.Double(b.Momentum) + ");");
                        w.Close();
                        w.Line("else");
                        w.Open();
                        w.Line(Lib + "NormalizationOps.BatchForwardInference<float>(" + inSpan + ", " + GammaValues(s) + ", " + BetaValues(s) + ", " + s.Field + "MovingMean.Values, " + s.Field + "MovingVariance.Values, " + Literals.Double(b.Epsilon) + ", " + s.Output + ".AsSpan(0, " + outSize + "), " + Rows(s) + ", " + Literals.Int(s.Channels) + ");");
                        w.Close();
                        break;
                    case LayerNormalizationSpec l:
                        w.Line("// " + s.Name + ": per-sample statistics");
                        w.Line(Lib + "NormalizationOps.LayerForward<float>(" + inSpan + ", " + GammaValues(s) + ", " + BetaValues(s) + ", " + Literals.Double(l.Epsilon) + ", " + s.Field + "Xhat.AsSpan(0, " + inSize + "), " + s.Output + ".AsSpan(0, " + outSize + "), " + s.Field + "InvStd, " + Rows(s) + ", " + Literals.Int(s.Channels) + ");");
                        break;
                    case Conv2DSpec c:
                        {
                            string bias = c.UseBias ? s.Field + "Bias.Values" : "null";
                            string fused = c.Activation == "Linear"
                                ? (c.UseBias ? "the bias added by its epilogue, " : "") + "z and y one buffer"
                                : (c.UseBias ? "bias and " : "") + c.Activation.ToLowerInvariant() + " fused into its epilogue";
                            string y = c.Activation == "Linear" ? "y = z" : "y = " + c.Activation.ToLowerInvariant() + "(z)";
                            w.Line("// " + s.Name + ": " + (s.Window!.Pointwise ? "1×1, stride 1: the input is its own im2col matrix" : "the GEMM builds the im2col rows [n·" + Literals.Int(s.Window.OutputPixels) + ", " + Literals.Int(s.Window.PatchSize) + "] from the images block by block while packing") + "; z = cols·K" + (c.UseBias ? " + b" : "") + ", " + y + " by one GEMM, " + fused);
                            w.Line(K + "ConvKernels.Conv2DForward(GemmContext, " + s.Field + "Work, " + inSpan + ", " + s.Field + "Kernel.Values, " + bias + ", " + s.Field + "Z, " + s.Output + ", " + Lib + "Activation." + c.Activation + ", " + Float(Alpha(c.Activation, c.Alpha)) + ", n);");
                            break;
                        }
                    case Pooling2DSpec p:
                        if (p.Max)
                        {
                            w.Line("// " + s.Name + ": max over each window, its argmax kept for the backward pass; split over the threads by samples");
                            w.Line(K + "ConvKernels.MaxPool2DForward(GemmContext, " + s.Field + "Work, " + inSpan + ", " + s.Output + ", " + s.Field + "Argmax, n);");
                        }
                        else
                        {
                            w.Line("// " + s.Name + ": mean over each window's positions inside the input");
                            w.Line(K + "ConvKernels.AveragePool2DForward(" + inSpan + ", " + s.Output + ", n, " + s.Field + "Window);");
                        }
                        break;
                    case GlobalAveragePooling2DSpec:
                        w.Line("// " + s.Name + ": " + Shapes.Format(s.InShape) + " → " + Literals.Int(s.Channels) + ", the mean of each channel");
                        w.Line(K + "ConvKernels.GlobalAveragePool2DForward(" + inSpan + ", " + s.Output + ", n, " + Literals.Int(s.Positions) + ", " + Literals.Int(s.Channels) + ");");
                        break;
                    case SpatialDropout2DSpec sd:
                        w.Line("// " + s.Name + ": in training one mask entry per (sample, channel) from stream layer(" + Literals.Int(s.Index) + ") at this step, whole feature maps dropped; identity in inference");
                        w.Line(s.Field + "Active = training;");
                        w.Line(K + "ConvKernels.SpatialDropout2DForward(" + Literals.Double(sd.Rate) + ", " + Literals.Int(s.Index) + ", Seed, Step, training, " + inSpan + ", " + s.Field + "Mask, " + s.Output + ", n, " + Literals.Int(s.Positions) + ", " + Literals.Int(s.Channels) + ");");
                        break;
                    case FlattenSpec:
                        w.Line("// " + s.Name + ": the only layer, so the input is copied to the output");
                        w.Line(inSpan + ".CopyTo(" + s.Output + ");");
                        break;
                }
                if (s.Index + 1 < model.Layers.Count && model.Layers[s.Index + 1] is FlattenSpec && s.Layer is not FlattenSpec)
                {
                    w.Line("// flatten_" + Literals.Int(s.Index + 1) + ": no pass, the channels-last rows of " + s.Output + " are already flat");
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
                            w.Line(K + "DenseKernels.Backward(GemmContext, " + input + ", " + s.Field + "Kernel.Values, " + s.Field + "Kernel.Gradient, " + (d.UseBias ? s.Field + "Bias.Gradient" : "null") + ", " + s.Field + "Z, " + a + ", " + s.Output + ", " + mask + ", " + dy + ", " + s.Field + "Dz, " + (s.InputGradient ?? "null") + ", " + Lib + "Activation." + d.Activation + ", " + Float(Alpha(d.Activation, d.Alpha)) + ", " + (activity ? s.Field + "Activity" : "null") + ", " + (last ? "Head != " + Lib + "LossHead.Generic" : "false") + ", n, " + Literals.Int(s.Inputs) + ", " + Literals.Int(s.Outputs) + ");");
                            break;
                        }
                    case ActivationSpec act:
                        if (s.InputGradient is null)
                        {
                            break;
                        }
                        if (s.FusedInto is { } fusedBn)
                        {
                            w.Line("// " + s.Name + ": dx = relu′·dy — in training " + fusedBn.Name + "'s gradient passes apply relu′ themselves; in inference here");
                            w.Line("if (!" + fusedBn.Field + "Training)");
                            w.Open();
                            w.Line(K + "ActivationKernels.Backward(GemmContext, " + Lib + "Activation." + act.Function + ", " + Float(Alpha(act.Function, act.Alpha)) + ", " + input + ", " + s.Output + ".AsSpan(0, " + inSize + "), default, " + dy + ", " + s.InputGradient + ".AsSpan(0, " + inSize + "));");
                            w.Close();
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
                            string z = s.KeepPreActivation ? s.Field + "Z.AsSpan(0, " + inSize + ")" : input;
                            w.Line(K + "ActivationKernels.Backward(GemmContext, " + Lib + "Activation." + act.Function + ", " + Float(Alpha(act.Function, act.Alpha)) + ", " + z + ", " + s.Output + ".AsSpan(0, " + inSize + "), default, " + dy + ", " + s.InputGradient + ".AsSpan(0, " + inSize + "));");
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
                            if (s.FusedRelu is { } relu)
                            {
                                // the ReLU is never the last step (it would keep its pre-activation), so a step follows it
                                string reluDy = i + 2 < steps.Count ? steps[i + 2].InputGradient + ".AsSpan(0, n * " + Literals.Int(relu.Outputs) + ")" : "outputGradient";
                                w.Line("// with " + relu.Name + "'s relu′ applied to its gradient in both passes: dy = dy(" + relu.Name + ")·[" + relu.Output + " > 0]");
                                w.Line(s.Field + "Channels!.Backward(GemmContext, " + reluDy + ", " + s.Field + "Xhat.AsSpan(0, " + inSize + "), " + GammaValues(s) + ", " + s.Field + "InvStd, " + dx + ", " + GammaGradient(s) + ", " + BetaGradient(s) + ", " + Rows(s) + ", " + relu.Output + ".AsSpan(0, " + inSize + "));");
                            }
                            else if (s.Positions > 1)
                            {
                                w.Line(s.Field + "Channels!.Backward(GemmContext, " + dy + ", " + s.Field + "Xhat.AsSpan(0, " + inSize + "), " + GammaValues(s) + ", " + s.Field + "InvStd, " + dx + ", " + GammaGradient(s) + ", " + BetaGradient(s) + ", " + Rows(s) + ");");
                            }
                            else
                            {
                                w.Line(Lib + "NormalizationOps.BatchBackwardTraining<float>(" + dy + ", " + s.Field + "Xhat.AsSpan(0, " + inSize + "), " + GammaValues(s) + ", " + s.Field + "InvStd, " + dx + ", " + GammaGradient(s) + ", " + BetaGradient(s) + ", " + Rows(s) + ", " + Literals.Int(s.Channels) + ");");
                            }
                            w.Close();
                            w.Line("else");
                            w.Open();
                            w.Line(Lib + "NormalizationOps.BatchBackwardInference<float>(" + input + ", " + dy + ", " + GammaValues(s) + ", " + s.Field + "MovingMean.Values, " + s.Field + "MovingVariance.Values, " + Literals.Double(b.Epsilon) + ", " + dx + ", " + GammaGradient(s) + ", " + BetaGradient(s) + ", " + Rows(s) + ", " + Literals.Int(s.Channels) + ");");
                            w.Close();
                            break;
                        }
                    case LayerNormalizationSpec:
                        {
                            w.Line("// " + s.Name + ": dγ, dβ and dx");
                            string dx = s.InputGradient + ".AsSpan(0, " + inSize + ")";
                            w.Line(Lib + "NormalizationOps.LayerBackward<float>(" + dy + ", " + s.Field + "Xhat.AsSpan(0, " + inSize + "), " + GammaValues(s) + ", " + s.Field + "InvStd, " + dx + ", " + GammaGradient(s) + ", " + BetaGradient(s) + ", " + Rows(s) + ", " + Literals.Int(s.Channels) + ");");
                            break;
                        }
                    case Conv2DSpec c:
                        {
                            bool activity = c.HasActivity;
                            w.Line("// " + s.Name + ": " + (activity ? "dy += ∂(activity penalty)/∂y, then " : "") + "dz = dy·" + c.Activation.ToLowerInvariant() + "′(z) in one pass" + (last ? " (or dz = dy from a fused loss head)" : "") + ", dK = colsᵀ·dz, db = Σ dz" + (s.InputGradient is null ? "" : s.Window!.Pointwise ? ", dx = dz·Kᵀ" : ", dx = col2im(dz·Kᵀ) a few samples at a time in " + s.Field + "Work's per-thread scratch"));
                            w.Line(K + "ConvKernels.Conv2DBackward(GemmContext, " + s.Field + "Work, " + input + ", " + dy + ", " + s.Field + "Kernel.Values, " + s.Field + "Kernel.Gradient, " + (c.UseBias ? s.Field + "Bias.Gradient" : "null") + ", " + s.Field + "Z, " + s.Output + ", " + s.Field + "Dz, " + (s.InputGradient ?? "null") + ", " + (activity ? s.Field + "ActivityDy, " + s.Field + "Activity" : "null, null") + ", " + Lib + "Activation." + c.Activation + ", " + Float(Alpha(c.Activation, c.Alpha)) + ", " + (last ? "Head != " + Lib + "LossHead.Generic" : "false") + ", n);");
                            break;
                        }
                    case Pooling2DSpec p when s.InputGradient is not null:
                        if (p.Max)
                        {
                            w.Line("// " + s.Name + ": dx = 0, then dx[argmax] += dy");
                            w.Line(K + "ConvKernels.MaxPool2DBackward(GemmContext, " + s.Field + "Work, " + dy + ", " + s.Field + "Argmax, " + s.InputGradient + ", n);");
                        }
                        else
                        {
                            w.Line("// " + s.Name + ": each output's gradient spread evenly over its window");
                            w.Line(K + "ConvKernels.AveragePool2DBackward(" + dy + ", " + s.InputGradient + ", n, " + s.Field + "Window);");
                        }
                        break;
                    case GlobalAveragePooling2DSpec when s.InputGradient is not null:
                        w.Line("// " + s.Name + ": dx = dy/" + Literals.Int(s.Positions) + " at every pixel");
                        w.Line(K + "ConvKernels.GlobalAveragePool2DBackward(" + dy + ", " + s.InputGradient + ", n, " + Literals.Int(s.Positions) + ", " + Literals.Int(s.Channels) + ");");
                        break;
                    case SpatialDropout2DSpec when s.InputGradient is not null:
                        w.Line("// " + s.Name + ": dx = dy·mask (the forward pass's mask)");
                        w.Line(K + "ConvKernels.SpatialDropout2DBackward(" + s.Field + "Active, " + dy + ", " + s.Field + "Mask, " + s.InputGradient + ", n, " + Literals.Int(s.Positions) + ", " + Literals.Int(s.Channels) + ");");
                        break;
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
            w.Line("protected override float[] Logits => " + (last.Layer is DenseSpec or ActivationSpec or Conv2DSpec ? last.Field + "Z" : last.Output) + ";");
            List<Step> activity = steps.Where(s => s.Layer is DenseSpec d && (d.ActivityL1 != 0 || d.ActivityL2 != 0) || s.Layer is Conv2DSpec { HasActivity: true }).ToList();
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

        /// <summary>Center and Scale of a normalization layer (true, true for any other).</summary>
        private static (bool Center, bool Scale) Affine(Step s) => s.Layer switch
        {
            BatchNormalizationSpec b => (b.Center, b.Scale),
            LayerNormalizationSpec l => (l.Center, l.Scale),
            _ => (true, true),
        };

        /// <summary>"xGamma, xBeta, " for the learned affine parameters of a normalization layer (either may be absent).</summary>
        private static string AffineFields(Step s) =>
            (Affine(s).Scale ? s.Field + "Gamma, " : "") + (Affine(s).Center ? s.Field + "Beta, " : "");

        /// <summary>A fixed γ = 1 (Scale = false) or β = 0 (Center = false) as a constant array the kernels read.</summary>
        private static void WriteFixedAffine(SourceWriter w, Step s)
        {
            if (!Affine(s).Scale)
            {
                w.Line("private static readonly float[] " + s.Field + "Ones = global::System.Linq.Enumerable.Repeat(1f, " + Literals.Int(s.Channels) + ").ToArray(); // Scale = false: γ fixed at 1");
            }
            if (!Affine(s).Center)
            {
                w.Line("private static readonly float[] " + s.Field + "Zeros = new float[" + Literals.Int(s.Channels) + "]; // Center = false: β fixed at 0");
            }
        }

        private static void WriteAffineRegistration(SourceWriter w, Step s, string shape, string role)
        {
            if (Affine(s).Scale)
            {
                w.Line(s.Field + "Gamma = AddParameter(\"" + s.Name + ".gamma\", " + shape + ", " + role + "Gamma, initializer: " + Lib + "Initializer.Ones);");
            }
            if (Affine(s).Center)
            {
                w.Line(s.Field + "Beta = AddParameter(\"" + s.Name + ".beta\", " + shape + ", " + role + "Beta);");
            }
        }

        private static string GammaValues(Step s) => s.Field + (Affine(s).Scale ? "Gamma.Values" : "Ones");

        private static string BetaValues(Step s) => s.Field + (Affine(s).Center ? "Beta.Values" : "Zeros");

        /// <summary>∂γ (cleared before the kernel accumulates into it), or no span when γ is fixed.</summary>
        private static string GammaGradient(Step s) => Affine(s).Scale ? "Cleared(" + s.Field + "Gamma.Gradient)" : "default";

        private static string BetaGradient(Step s) => Affine(s).Center ? "Cleared(" + s.Field + "Beta.Gradient)" : "default";

        /// <summary>Rows of a per-channel pass over the batch: n samples × the pixels of each (n for a flat input).</summary>
        private static string Rows(Step s) => s.Positions == 1 ? "n" : "n * " + Literals.Int(s.Positions);

        private static string Regularizer(double l1, double l2) =>
            l1 == 0 && l2 == 0 ? "null" : Lib + "Regularizer.L1L2(" + Literals.Double(l1) + ", " + Literals.Double(l2) + ")";

        /// <summary>The activation's slope: the declared Alpha, else the library's default (LeakyRelu 0.2, Elu 1).</summary>
        private static double Alpha(string activation, double? alpha) => alpha ?? (activation == "LeakyRelu" ? 0.2 : activation == "Elu" ? 1.0 : 0.0);

        private static string Float(double value) => Literals.Double(value) + "f";

        private static string Camel(string kind)
        {
            string[] parts = kind.Split('_');
            return parts[0] + string.Concat(parts.Skip(1).Select(p => char.ToUpperInvariant(p[0]) + p.Substring(1)));
        }
    }
}
