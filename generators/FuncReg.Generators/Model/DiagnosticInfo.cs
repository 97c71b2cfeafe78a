using System.Linq;
using FuncReg.Generators.Diagnostics;
using Microsoft.CodeAnalysis;

namespace FuncReg.Generators.Model
{
    /// <summary>A diagnostic to report, as values: the descriptor's ID, its location and its message arguments (always strings).</summary>
    internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Arguments)
    {
        public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] arguments) =>
            new(descriptor.Id, location, arguments.ToEquatableArray());

        public Diagnostic ToDiagnostic() =>
            Diagnostic.Create(DiagnosticDescriptors.ById(Id), Location?.ToLocation(), Arguments.Cast<object>().ToArray());
    }
}
