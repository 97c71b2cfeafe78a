using System.Globalization;
using System.Text.Json.Nodes;

namespace FuncReg.Properties.Corruption;

/// <summary>JSON-aware edits of a document: the value at a position (in document order) replaced, removed, renamed, repeated or given a sibling.</summary>
internal static class JsonEdits
{
    public enum Kind
    {
        /// <summary>A value replaced by a palette value (often of another kind).</summary>
        Replace,

        /// <summary>A property or array element removed.</summary>
        Remove,

        /// <summary>A property renamed (to a known key, a sibling's name, or an unknown one).</summary>
        Rename,

        /// <summary>An unknown property added to an object (an element appended to an array).</summary>
        Add,

        /// <summary>A property given twice (the second time with a palette value).</summary>
        Repeat,

        /// <summary>A textual edit of the format's own list.</summary>
        Text,
    }

    /// <summary>Stands for <c>"\uD800"</c> (which JsonNode cannot write) in palettes until the document is serialized.</summary>
    public const string LoneSurrogate = "\"@lone-surrogate@\"";

    private const string RepeatMarker = "@repeat@";

    /// <summary>The document <paramref name="json"/> with one edit; positions and choices are reduced modulo the counts.</summary>
    public static string Edit(string json, Kind kind, int target, int replacement, string[] palette, string[] names)
    {
        JsonNode root = JsonNode.Parse(json, documentOptions: new System.Text.Json.JsonDocumentOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true })!;
        var slots = new List<(JsonNode Parent, object Key)>();
        Collect(root, slots);
        if (slots.Count == 0)
        {
            return json;
        }
        (JsonNode parent, object key) = slots[target % slots.Count];
        JsonNode? value = JsonNode.Parse(palette[replacement % palette.Length]);
        string? repeated = null;
        switch (kind, parent)
        {
            case (Kind.Replace, JsonObject o):
                o[(string)key] = value;
                break;
            case (Kind.Replace, JsonArray a):
                a[(int)key] = value;
                break;
            case (Kind.Remove, JsonObject o):
                o.Remove((string)key);
                break;
            case (Kind.Remove, JsonArray a):
                a.RemoveAt((int)key);
                break;
            case (Kind.Rename, JsonObject o):
                {
                    JsonNode? v = o[(string)key];
                    o.Remove((string)key);
                    o[names[replacement % names.Length]] = v; // replaces a sibling of that name, if any
                    break;
                }
            case (Kind.Repeat, JsonObject o):
                o[RepeatMarker] = value;
                repeated = (string)key;
                break;
            case (_, JsonObject o):
                o["extra" + replacement.ToString(CultureInfo.InvariantCulture)] = value;
                break;
            case (_, JsonArray a):
                a.Add(value);
                break;
        }
        string text = root.ToJsonString().Replace(LoneSurrogate, "\"\\uD800\"", StringComparison.Ordinal);
        return repeated is null ? text : text.Replace($"\"{RepeatMarker}\"", System.Text.Json.JsonSerializer.Serialize(repeated), StringComparison.Ordinal);
    }

    /// <summary>Every property and array element below the root, in document order.</summary>
    private static void Collect(JsonNode node, List<(JsonNode Parent, object Key)> slots)
    {
        if (node is JsonObject o)
        {
            foreach (var (k, v) in o.ToList())
            {
                slots.Add((o, k));
                if (v is not null)
                {
                    Collect(v, slots);
                }
            }
        }
        else if (node is JsonArray a)
        {
            for (int i = 0; i < a.Count; i++)
            {
                slots.Add((a, i));
                if (a[i] is { } v)
                {
                    Collect(v, slots);
                }
            }
        }
    }
}
