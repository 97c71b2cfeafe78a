using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text;

namespace FuncReg.Properties.Support;

/// <summary>Readable counterexamples: a record's properties with arrays written out in full.</summary>
internal static class Dump
{
    public static string Of(object o)
    {
        var sb = new StringBuilder(o.GetType().Name).Append(" { ");
        foreach (PropertyInfo p in o.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.GetIndexParameters().Length > 0 || p.Name == "EqualityContract")
            {
                continue;
            }
            sb.Append(p.Name).Append(" = ").Append(Value(p.GetValue(o))).Append(", ");
        }
        return sb.Append('}').ToString();
    }

    private static string Value(object? v) => v switch
    {
        null => "null",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        string s => $"\"{s}\"",
        IEnumerable e => "[" + string.Join(", ", e.Cast<object?>().Select(Value)) + "]",
        _ => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "",
    };
}
