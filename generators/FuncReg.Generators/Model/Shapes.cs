using System;
using System.Linq;

namespace FuncReg.Generators.Model
{
    /// <summary>Why a layer does not fit the shape it receives (or, for <see cref="FlattenOnFlatInput"/>, does nothing).</summary>
    internal enum ShapeProblem
    {
        None,

        /// <summary>Conv2D, pooling, GlobalAveragePooling2D or SpatialDropout2D on a feature vector.</summary>
        ImageLayerOnFlatInput,

        /// <summary>Flatten on a feature vector: allowed, but it does nothing.</summary>
        FlattenOnFlatInput,

        /// <summary>Dense (or a softmax Activation) on a 3-D [h, w, c] input.</summary>
        NeedsFlatInput,

        /// <summary>A valid-padded Conv2D kernel larger than its input.</summary>
        KernelTooLarge,

        /// <summary>A valid-padded pooling window larger than its input.</summary>
        PoolTooLarge,
    }

    /// <summary>
    /// The geometry of a sliding window over an [h, w, c] input, as the library's <c>Window2D</c>: window (kh, kw),
    /// strides (sh, sw), output (oh, ow) and the padding before each axis.
    /// </summary>
    internal sealed class WindowGeometry
    {
        public WindowGeometry(int height, int width, int channels, int kernelHeight, int kernelWidth, int strideHeight, int strideWidth, int outputHeight, int outputWidth, int padTop, int padLeft)
        {
            Height = height;
            Width = width;
            Channels = channels;
            KernelHeight = kernelHeight;
            KernelWidth = kernelWidth;
            StrideHeight = strideHeight;
            StrideWidth = strideWidth;
            OutputHeight = outputHeight;
            OutputWidth = outputWidth;
            PadTop = padTop;
            PadLeft = padLeft;
        }

        public int Height { get; }

        public int Width { get; }

        public int Channels { get; }

        public int KernelHeight { get; }

        public int KernelWidth { get; }

        public int StrideHeight { get; }

        public int StrideWidth { get; }

        public int OutputHeight { get; }

        public int OutputWidth { get; }

        public int PadTop { get; }

        public int PadLeft { get; }

        public int InputSize => Height * Width * Channels;

        public int OutputPixels => OutputHeight * OutputWidth;

        public int PatchSize => KernelHeight * KernelWidth * Channels;

        /// <summary>A 1×1 window with stride 1: a convolution reads its input in place (no im2col).</summary>
        public bool Pointwise => KernelHeight == 1 && KernelWidth == 1 && StrideHeight == 1 && StrideWidth == 1;
    }

    /// <summary>
    /// Compile-time shape inference, with the formulas of the library's records (<c>Window2D</c>, <c>Padding</c>,
    /// <c>Layer.OutputShape</c>): <c>Valid</c> out = ⌊(in − k)/s⌋ + 1, <c>Same</c> out = ⌈in/s⌉ with
    /// pad_total = max((out − 1)·s + k − in, 0) and pad_before = ⌊pad_total/2⌋; pooling strides default to the pool size.
    /// </summary>
    internal static class Shapes
    {
        /// <summary>Output length and padding before, along one axis.</summary>
        public static (int Output, int PadBefore) Axis(int input, int window, int stride, string padding)
        {
            if (padding != "Same")
            {
                return (input < window ? 0 : ((input - window) / stride) + 1, 0);
            }
            // in long, as Window2D: a window or stride near int.MaxValue must not overflow (the padding itself is < window)
            int output = (int)(((long)input + stride - 1) / stride);
            long total = Math.Max((((long)output - 1) * stride) + window - input, 0);
            return (output, (int)(total / 2));
        }

        /// <summary>The window over an [h, w, c] input, or null when a valid-padded window does not fit.</summary>
        public static WindowGeometry? Window(int[] input, int kernelHeight, int kernelWidth, int strideHeight, int strideWidth, string padding)
        {
            (int oh, int top) = Axis(input[0], kernelHeight, strideHeight, padding);
            (int ow, int left) = Axis(input[1], kernelWidth, strideWidth, padding);
            return oh < 1 || ow < 1 ? null : new WindowGeometry(input[0], input[1], input[2], kernelHeight, kernelWidth, strideHeight, strideWidth, oh, ow, top, left);
        }

        /// <summary>The window of a Conv2D or pooling layer over <paramref name="input"/> (null for other layers or when it does not fit).</summary>
        public static WindowGeometry? WindowOf(LayerSpec layer, int[] input) => input.Length != 3 ? null : layer switch
        {
            Conv2DSpec c => Window(input, c.KernelHeight, c.KernelWidth, c.StrideHeight, c.StrideWidth, c.Padding),
            Pooling2DSpec p => Window(input, p.PoolHeight, p.PoolWidth, p.EffectiveStrideHeight, p.EffectiveStrideWidth, p.Padding),
            _ => null,
        };

        /// <summary>The shape <paramref name="layer"/> outputs for <paramref name="input"/>; null with the problem when it does not fit.</summary>
        public static int[]? Next(LayerSpec layer, int[] input, out ShapeProblem problem)
        {
            problem = ShapeProblem.None;
            bool image = input.Length == 3;
            switch (layer)
            {
                case Conv2DSpec or Pooling2DSpec or GlobalAveragePooling2DSpec or SpatialDropout2DSpec when !image:
                    problem = ShapeProblem.ImageLayerOnFlatInput;
                    return null;
                case Conv2DSpec c:
                    {
                        WindowGeometry? w = WindowOf(c, input);
                        problem = w is null ? ShapeProblem.KernelTooLarge : ShapeProblem.None;
                        return w is null ? null : new[] { w.OutputHeight, w.OutputWidth, c.Filters };
                    }
                case Pooling2DSpec p:
                    {
                        WindowGeometry? w = WindowOf(p, input);
                        problem = w is null ? ShapeProblem.PoolTooLarge : ShapeProblem.None;
                        return w is null ? null : new[] { w.OutputHeight, w.OutputWidth, input[2] };
                    }
                case GlobalAveragePooling2DSpec:
                    return new[] { input[2] };
                case FlattenSpec:
                    problem = image ? ShapeProblem.None : ShapeProblem.FlattenOnFlatInput;
                    return new[] { Size(input) };
                case DenseSpec d:
                    problem = image ? ShapeProblem.NeedsFlatInput : ShapeProblem.None;
                    return image ? null : new[] { d.Units };
                case ActivationSpec { Function: "Softmax" } when image:
                    problem = ShapeProblem.NeedsFlatInput;
                    return null;
                default:
                    return input;
            }
        }

        /// <summary>The shape entering each layer and, last, the model's output shape; the model must be valid (parsed without errors).</summary>
        public static int[][] Of(ModelSpec model)
        {
            var shapes = new int[model.Layers.Count + 1][];
            shapes[0] = model.InputShape.Count > 0 ? model.InputShape.ToArray() : new[] { model.Inputs };
            for (int i = 0; i < model.Layers.Count; i++)
            {
                shapes[i + 1] = Next(model.Layers[i], shapes[i], out _) ?? throw new InvalidOperationException("layer " + i + " does not fit its input");
            }
            return shapes;
        }

        /// <summary>Values in <paramref name="shape"/>; the model has passed <see cref="TensorSizes.Oversized"/>, so it fits an int.</summary>
        public static int Size(int[] shape) => shape.Aggregate(1, (a, b) => checked(a * b));

        /// <summary><c>28×28×1</c>, <c>784</c>.</summary>
        public static string Format(int[] shape) => string.Join("×", shape.Select(d => d.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }
}
