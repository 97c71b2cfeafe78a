using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FuncReg.Tests.Checkpoints;

/// <summary>
/// Edits a checkpoint as a person with a text editor and the format's description would: changes the manifest's
/// payload and signs it again (the SHA-256 of the payload's exact bytes), or rewrites state.safetensors and updates its
/// checksum in the manifest. The checksums are then valid, so only the reader's own checks can refuse the result.
/// </summary>
internal static class ManifestEditor
{
    /// <summary>The newest checkpoint's directory under <paramref name="dir"/> (the directory itself in the old layout).</summary>
    public static string Newest(string dir) =>
        Path.GetDirectoryName(Directory.EnumerateFiles(dir, Checkpoint.ManifestFile, SearchOption.AllDirectories).Order(StringComparer.Ordinal).Last())!;

    public static string Manifest(string dir) => Path.Combine(Newest(dir), Checkpoint.ManifestFile);

    public static JsonObject Payload(string dir) =>
        JsonNode.Parse(File.ReadAllBytes(Manifest(dir)))!["payload"]!.AsObject();

    /// <summary>Applies <paramref name="edit"/> to the payload and writes it back, signed.</summary>
    public static void Edit(string dir, Action<JsonObject> edit)
    {
        JsonObject payload = Payload(dir);
        edit(payload);
        Sign(dir, Encoding.UTF8.GetBytes(payload.ToJsonString(new JsonSerializerOptions { WriteIndented = true })));
    }

    /// <summary>Writes <paramref name="payload"/> (any bytes, even invalid UTF-8) as the manifest's payload with its SHA-256.</summary>
    public static void Sign(string dir, byte[] payload)
    {
        string sha = Convert.ToHexStringLower(SHA256.HashData(payload));
        File.WriteAllBytes(Manifest(dir), [.. Encoding.UTF8.GetBytes($"{{\n\"sha256\": \"{sha}\",\n\"payload\": "), .. payload, .. "\n}\n"u8]);
    }

    /// <summary>The payload's bytes as the writer wrote them.</summary>
    public static byte[] RawPayload(string dir)
    {
        byte[] bytes = File.ReadAllBytes(Manifest(dir));
        int start = bytes.AsSpan().IndexOf("\"payload\": "u8) + "\"payload\": ".Length;
        int end = bytes.AsSpan().LastIndexOf((byte)'}');
        return bytes[start..end].AsSpan().TrimEnd("\n "u8).ToArray();
    }

    /// <summary>Rewrites state.safetensors with <paramref name="edit"/> applied to every tensor and re-signs the manifest.</summary>
    public static void EditState(string dir, Func<NamedTensor, NamedTensor> edit)
    {
        string state = Path.Combine(Newest(dir), Checkpoint.StateFile);
        var (tensors, metadata) = SafeTensors.Read(state);
        byte[] bytes = SafeTensors.Serialize(tensors.Select(edit), metadata);
        File.WriteAllBytes(state, bytes);
        Edit(dir, p => p["files"]![Checkpoint.StateFile] = Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }
}
