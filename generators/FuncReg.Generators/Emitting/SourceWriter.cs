using System.Text;

namespace FuncReg.Generators.Emitting
{
    /// <summary>Builds C# text line by line with an indentation counter (four spaces a level).</summary>
    internal sealed class SourceWriter
    {
        private readonly StringBuilder text = new();

        public int Indentation { get; set; }

        public SourceWriter Line(string line = "")
        {
            if (line.Length > 0)
            {
                text.Append(' ', Indentation * 4).Append(line);
            }
            text.Append('\n');
            return this;
        }

        /// <summary>Writes <c>{</c> and indents.</summary>
        public SourceWriter Open()
        {
            Line("{");
            Indentation++;
            return this;
        }

        /// <summary>Unindents and writes <c>}</c> (plus an optional suffix such as <c>;</c>).</summary>
        public SourceWriter Close(string suffix = "")
        {
            Indentation--;
            return Line("}" + suffix);
        }

        public override string ToString() => text.ToString();
    }
}
