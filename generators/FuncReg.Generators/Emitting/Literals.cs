using System.Globalization;

namespace FuncReg.Generators.Emitting
{
    /// <summary>C# literals written the same on every machine: invariant culture, round-trip precision.</summary>
    internal static class Literals
    {
        /// <summary><c>0.0001</c>, <c>3.0</c>, <c>1E-10</c>: a double literal that parses back to exactly <paramref name="value"/>.</summary>
        public static string Double(double value)
        {
            if (double.IsNaN(value))
            {
                return "double.NaN";
            }
            if (double.IsInfinity(value))
            {
                return value > 0 ? "double.PositiveInfinity" : "double.NegativeInfinity";
            }
            string s = value.ToString("R", CultureInfo.InvariantCulture);
            return s.IndexOf('.') >= 0 || s.IndexOf('E') >= 0 ? s : s + ".0";
        }

        public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

        public static string Bool(bool value) => value ? "true" : "false";
    }
}
