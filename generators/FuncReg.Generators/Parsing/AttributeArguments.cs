using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using FuncReg.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FuncReg.Generators.Parsing
{
    /// <summary>
    /// Reads one applied attribute: its bound constant values (from <see cref="AttributeData"/>) and where each
    /// argument was written (from its <see cref="AttributeSyntax"/>), for diagnostics that point at the argument.
    /// </summary>
    internal sealed class AttributeArguments
    {
        private readonly AttributeData data;
        private readonly AttributeSyntax? syntax;

        public AttributeArguments(AttributeData data)
        {
            this.data = data;
            syntax = data.ApplicationSyntaxReference?.GetSyntax() as AttributeSyntax;
        }

        /// <summary>The whole attribute, e.g. <c>Dense(0, Activation.Relu)</c>.</summary>
        public LocationInfo? Location => LocationInfo.From(syntax);

        /// <summary>True when the attribute's constructor was bound (false while the user's code has errors there).</summary>
        public bool IsBound => data.AttributeConstructor is not null;

        /// <summary>Constructor argument <paramref name="index"/> (defaults filled in) and where it was written, or the attribute's location when it was not.</summary>
        public (TypedConstant Value, LocationInfo? Location) Positional(int index)
        {
            TypedConstant value = data.ConstructorArguments[index];
            string name = data.AttributeConstructor!.Parameters[index].Name;
            AttributeArgumentSyntax? written = null;
            if (syntax?.ArgumentList is { } list)
            {
                written = list.Arguments.FirstOrDefault(a => a.NameColon?.Name.Identifier.ValueText == name);
                if (written is null)
                {
                    AttributeArgumentSyntax[] positional = list.Arguments.Where(a => a.NameEquals is null && a.NameColon is null).ToArray();
                    written = index < positional.Length ? positional[index] : null;
                }
            }
            return (value, written is null ? Location : LocationInfo.From(written));
        }

        /// <summary>Whether the bound constructor has a parameter called <paramref name="name"/> (which overload was chosen).</summary>
        public bool HasParameter(string name) => ParameterIndex(name) >= 0;

        /// <summary>Index of the bound constructor's parameter <paramref name="name"/>, or −1.</summary>
        public int ParameterIndex(string name)
        {
            var parameters = data.AttributeConstructor!.Parameters;
            for (int i = 0; i < parameters.Length; i++)
            {
                if (parameters[i].Name == name)
                {
                    return i;
                }
            }
            return -1;
        }

        /// <summary>Named argument <paramref name="name"/> (<c>Name = value</c>), if given.</summary>
        public bool TryGetNamed(string name, out TypedConstant value, out LocationInfo? location)
        {
            foreach (KeyValuePair<string, TypedConstant> pair in data.NamedArguments)
            {
                if (pair.Key == name)
                {
                    value = pair.Value;
                    AttributeArgumentSyntax? written = syntax?.ArgumentList?.Arguments.LastOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name);
                    location = written is null ? Location : LocationInfo.From(written);
                    return true;
                }
            }
            value = default;
            location = null;
            return false;
        }

        /// <summary>Named arguments written more than once, each with the location of its repetition.</summary>
        public IEnumerable<(string Name, LocationInfo? Location)> Duplicates()
        {
            if (syntax?.ArgumentList is not { } list)
            {
                yield break;
            }
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (AttributeArgumentSyntax a in list.Arguments)
            {
                string? name = a.NameEquals?.Name.Identifier.ValueText;
                if (name is not null && !seen.Add(name))
                {
                    yield return (name, LocationInfo.From(a));
                }
            }
        }

        public static int AsInt(TypedConstant c) => c.Value is null ? 0 : Convert.ToInt32(c.Value, CultureInfo.InvariantCulture);

        public static double AsDouble(TypedConstant c) => c.Value is null ? 0 : Convert.ToDouble(c.Value, CultureInfo.InvariantCulture);

        public static bool AsBool(TypedConstant c) => c.Value is bool b && b;

        /// <summary>The enum member's name whose value is <paramref name="c"/>'s constant, or null when none is.</summary>
        public static string? EnumName(TypedConstant c)
        {
            if (c.Type is not INamedTypeSymbol { TypeKind: TypeKind.Enum } type || c.Value is null)
            {
                return null;
            }
            foreach (ISymbol member in type.GetMembers())
            {
                if (member is IFieldSymbol { HasConstantValue: true } field && Equals(field.ConstantValue, c.Value))
                {
                    return field.Name;
                }
            }
            return null;
        }

        /// <summary>Round-trip, culture-independent text of a number, for messages.</summary>
        public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
    }
}
