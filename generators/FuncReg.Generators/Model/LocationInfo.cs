using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace FuncReg.Generators.Model
{
    /// <summary>
    /// Where a diagnostic points, as plain values (file, span, line span): a <see cref="Location"/> holds its
    /// syntax tree, which would keep the compilation alive in the pipeline and defeat caching.
    /// </summary>
    internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
    {
        public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);

        public static LocationInfo? From(Location? location) =>
            location is null || location.SourceTree is null
                ? null
                : new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);

        public static LocationInfo? From(SyntaxNode? node) => From(node?.GetLocation());

        public static LocationInfo? From(SyntaxToken token) => From(token.GetLocation());
    }
}
