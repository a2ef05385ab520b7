namespace NetOps.Mqtt;

/// <summary>Resolves a password given inline or by reference; the value never reaches a log line.</summary>
internal static class Secrets
{
    public static string? Resolve(string? value, string? reference)
    {
        if (value is not null)
        {
            return value;
        }

        if (string.IsNullOrEmpty(reference))
        {
            return null;
        }

        if (reference.StartsWith("env:", StringComparison.Ordinal))
        {
            var name = reference[4..];
            return Environment.GetEnvironmentVariable(name)
                ?? throw new InvalidOperationException($"PasswordRef names environment variable {name}, which is not set");
        }

        if (reference.StartsWith("file:", StringComparison.Ordinal))
        {
            var path = reference[5..];
            using var reader = new StreamReader(path);
            return reader.ReadLine()
                ?? throw new InvalidOperationException($"PasswordRef names file {path}, which is empty");
        }

        throw new InvalidOperationException("PasswordRef must start with 'env:' or 'file:'");
    }
}
