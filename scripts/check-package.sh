#!/usr/bin/env bash
# Packaging check: packs src/FuncReg (which carries the source generator under analyzers/dotnet/cs), then,
# from a fresh console project outside the repo that takes FuncReg from the local folder (plus nuget.org for
# its dependencies),
#   1. the DESIGN §3 FashionMlp declaration builds and trains on tiny synthetic data for two epochs;
#   2. the same project with [Dropout(1.5)] fails to build with the generator's FR0005.
# Needs the .NET SDK and the NuGet registry only. Removes everything it creates (package folder, consumer
# project, the check version in the NuGet cache), also on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

pkg=${FUNCREG_PKG_DIR:-/tmp/funcreg-pkg}
consumer=${FUNCREG_CONSUMER_DIR:-/tmp/consumer}
# A version of its own, so a FuncReg already in the NuGet cache is never picked up instead of this build.
version="0.0.0-check.$(date +%s).$$"
cache="${NUGET_PACKAGES:-$HOME/.nuget/packages}/funcreg/$version"
for d in "$pkg" "$consumer"; do
  if [ -e "$d" ]; then
    echo "$d already exists: remove it or set FUNCREG_PKG_DIR / FUNCREG_CONSUMER_DIR" >&2
    exit 2
  fi
done
cleanup() { rm -rf "$pkg" "$consumer" "$cache"; }
trap cleanup EXIT
start=$(date +%s)

dotnet pack src/FuncReg -c Release -o "$pkg" -p:Version="$version" --nologo -v quiet
unzip -l "$pkg/FuncReg.$version.nupkg" | grep -q 'analyzers/dotnet/cs/FuncReg.Generators.dll' \
  || { echo "the package does not carry the generator under analyzers/dotnet/cs" >&2; exit 1; }

mkdir -p "$consumer"
cat > "$consumer/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="funcreg-local" value="$pkg" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
  </packageSources>
</configuration>
XML
cat > "$consumer/Consumer.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
    <WarningsAsErrors>\$(WarningsAsErrors);CS9057;CS8032</WarningsAsErrors>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="FuncReg" Version="$version" />
  </ItemGroup>
</Project>
XML
write_program() {
  cat > "$consumer/Program.cs" <<CS
using FuncReg;

const int n = 64;
var rng = new Random(1);
float[] features = [.. Enumerable.Range(0, n * 784).Select(_ => (float)rng.NextDouble())];
int[] labels = [.. Enumerable.Range(0, n).Select(i => i % 10)];
Dataset train = Dataset.From(features, labels, sampleShape: [784]);
var model = new FashionMlp(seed: 42);
History history = model.Fit(train, new FitOptions { Epochs = 2, BatchSize = 16, Optimizer = new Adam(1e-3) });
float[] p = model.Predict(features);
Console.WriteLine(\$"epochs {history.Epochs.Count}, loss {history.Epochs[^1].Loss:F4}, outputs {p.Length}, parameters {string.Join(' ', model.Parameters.Select(t => t.Name))}");
if (history.Epochs.Count != 2 || !double.IsFinite(history.Epochs[^1].Loss) || p.Length != n * 10) { return 1; }
return 0;

[Model(Inputs = 784, Loss = Loss.CategoricalCrossEntropy)]   // integer labels; softmax fused into the loss
[Dense(256, Activation.Relu, L2 = 1e-4)]
[Dropout($1)]
[Dense(128, Activation.Relu, L2 = 1e-4, MaxNorm = 3)]
[Dropout(0.3)]
[Dense(10, Activation.Softmax)]
public partial class FashionMlp;
CS
}

echo "== consumer: FashionMlp builds and trains"
write_program 0.3
(cd "$consumer" && dotnet run -c Release --nologo)

echo "== consumer: [Dropout(1.5)] fails the build with FR0005"
write_program 1.5
if out=$(cd "$consumer" && dotnet build -c Release --nologo 2>&1); then
  echo "$out"
  echo "the build with [Dropout(1.5)] succeeded; expected error FR0005" >&2
  exit 1
fi
echo "$out" | grep -E 'error FR0005' | sort -u
echo "$out" | grep -q 'error FR0005' || { echo "$out"; echo "the build failed, but not with FR0005" >&2; exit 1; }

echo "package check passed in $(( $(date +%s) - start )) s"
