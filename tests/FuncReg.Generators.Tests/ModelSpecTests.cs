using System.Reflection;
using FuncReg.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace FuncReg.Generators.Tests;

/// <summary>The values that flow through the pipeline hold no symbols, syntax, locations or compilations.</summary>
public sealed class ModelSpecTests
{
    private static readonly Type[] Forbidden = [typeof(ISymbol), typeof(SyntaxNode), typeof(SyntaxToken), typeof(Location), typeof(Compilation), typeof(SemanticModel), typeof(SyntaxTree), typeof(AttributeData)];

    [Fact]
    public void The_ModelSpec_graph_holds_no_symbol_syntax_or_location()
    {
        var visited = new HashSet<Type>();
        var pending = new Stack<Type>([typeof(ParseResult), typeof(ModelSpec)]);
        // Every layer kind, since EquatableArray<LayerSpec> only names the base type.
        foreach (Type t in typeof(LayerSpec).Assembly.GetTypes().Where(t => typeof(LayerSpec).IsAssignableFrom(t)))
        {
            pending.Push(t);
        }
        while (pending.Count > 0)
        {
            Type type = pending.Pop();
            if (!visited.Add(type) || type.IsPrimitive || type == typeof(string) || type.IsEnum || type == typeof(TextSpan) || type == typeof(LinePositionSpan))
            {
                continue;
            }
            Assert.DoesNotContain(Forbidden, f => f.IsAssignableFrom(type));
            Assert.True(type.Namespace == typeof(ModelSpec).Namespace || Nullable.GetUnderlyingType(type) is not null || type == typeof(Type),
                $"{type} is not a spec type");
            if (Nullable.GetUnderlyingType(type) is { } underlying)
            {
                pending.Push(underlying);
                continue;
            }
            foreach (FieldInfo f in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            {
                pending.Push(f.FieldType.IsArray ? f.FieldType.GetElementType()! : f.FieldType);
                foreach (Type g in f.FieldType.IsGenericType ? f.FieldType.GetGenericArguments() : [])
                {
                    pending.Push(g);
                }
            }
        }
        Assert.Contains(typeof(DenseSpec), visited);
        Assert.Contains(typeof(EquatableArray<LayerSpec>), visited);
    }

    [Fact]
    public void Equal_declarations_give_equal_specs()
    {
        LayerSpec[] layers = [new DenseSpec(8, "Relu", 0, 1e-4, 0, 0, 0, 0, new ConstraintSpec("MaxNorm", 0, 3, 1), "GlorotUniform", true), new DropoutSpec(0.5)];
        var a = new ModelSpec("N", "M", 4, EquatableArray<int>.Empty, null, false, 0, layers.ToEquatableArray());
        var b = new ModelSpec("N", "M", 4, EquatableArray<int>.Empty, null, false, 0, layers.Select(l => l with { }).ToEquatableArray());
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, b with { Layers = layers.Take(1).ToEquatableArray() });
    }
}
