using System.Text.Json;
using GpuEm.Em;
using GpuEm.Persistence;

namespace GpuEm.Models.Topics;

/// <summary>
/// The model file of a topic model (format "gpuem.topic-model", version 1): method (<c>plsa</c> or
/// <c>lda</c>), topicCount K, termCount W, documentCount D, tokens, vocabulary (W strings, or
/// absent), topicWord (K arrays of W numbers: row k = topic k, p(w | k)), for LDA lambda (K × W,
/// the same layout), alpha (K), eta, maxDocumentIterations and documentTolerance, for PLSA
/// tempering; trainingObjective; documentTopic (D arrays of K numbers) when D·K ≤ 10⁷; and the fit
/// summary (objectiveHistory, per token). Numbers round-trip exactly.
/// </summary>
internal static class TopicModelCodec
{
    public static void Write(TopicModel model, Stream stream) =>
        ModelDocument.Write(stream, TopicModel.FormatName, w =>
        {
            int k = model.TopicCount, terms = model.TermCount;
            w.WriteString("method", model.Method == TopicMethod.Lda ? "lda" : "plsa");
            w.WriteNumber("topicCount", k);
            w.WriteNumber("termCount", terms);
            w.WriteNumber("documentCount", model.DocumentCount);
            w.WriteNumber("tokens", model.Tokens);
            if (model.Vocabulary is { } vocabulary)
            {
                w.WriteStartArray("vocabulary");
                foreach (string term in vocabulary)
                    w.WriteStringValue(term);
                w.WriteEndArray();
            }
            WriteRows(w, "topicWord", model.TopicWordFlat, k, terms, (r, c) => (long)r * terms + c);
            if (model.LdaState is { } lda)
            {
                WriteRows(w, "lambda", lda.Lambda, k, terms, (r, c) => (long)c * k + r);
                ModelDocument.WriteArray(w, "alpha", lda.Alpha);
                w.WriteNumber("eta", lda.Eta);
                w.WriteNumber("maxDocumentIterations", model.MaxDocumentIterations);
                w.WriteNumber("documentTolerance", model.DocumentTolerance);
            }
            else
                w.WriteNumber("tempering", model.Tempering);
            w.WriteNumber("trainingObjective", model.TrainingObjective);
            if (model.DocumentTopicFlat is { } theta && (long)model.DocumentCount * k <= TopicModel.SavedDocumentTopicLimit)
                WriteRows(w, "documentTopic", theta, model.DocumentCount, k, (r, c) => (long)r * k + c);
            FitSummaryFields.Write(w, model.Summary, "objectiveHistory", model.Summary.ObjectiveHistory);
        });

    public static TopicModel Read(Stream stream, string source) =>
        ModelDocument.Read(stream, source, TopicModel.FormatName, Read);

    private static TopicModel Read(ModelDocument.Reader r)
    {
        string method = r.String("method");
        if (method is not ("lda" or "plsa"))
            throw r.Fail($"has method '{ModelDocument.Clip(method)}'; expected 'lda' or 'plsa'");
        (int k, int terms) = r.Sizes("topicCount", "termCount");
        int documents = r.Int("documentCount");
        if (documents < k)
            throw r.Fail($"has documentCount {documents} below topicCount {k}");
        double tokens = r.Double("tokens");
        if (!(tokens > 0))
            throw r.Fail("has tokens ≤ 0");
        string[]? vocabulary = null;
        if (r.Has("vocabulary"))
        {
            JsonElement e = r.Field("vocabulary");
            if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() != terms)
                throw r.Fail($"field 'vocabulary' is not an array of {terms} terms");
            vocabulary = e.EnumerateArray().Select(t => t.ValueKind == JsonValueKind.String ? t.GetString()! : throw r.Fail("has a vocabulary entry that is not a string")).ToArray();
        }
        double[] topicWord = ReadRows(r, "topicWord", k, terms, (row, c) => (long)row * terms + c);
        for (int t = 0; t < k; t++)
        {
            double sum = 0;
            for (int w = 0; w < terms; w++)
            {
                double p = topicWord[(long)t * terms + w];
                if (p < 0)
                    throw r.Fail($"has a negative probability in topicWord row {t}");
                sum += p;
            }
            if (Math.Abs(sum - 1) > 1e-9)
                throw r.Fail($"has topicWord row {t} summing to {sum}, not 1");
        }
        LdaParameters? lda = null;
        double tempering = 1;
        int maxDocumentIterations = LdaOptions.LdaDefaults.MaxDocumentIterations;
        double documentTolerance = LdaOptions.LdaDefaults.DocumentTolerance;
        if (method == "lda")
        {
            double[] lambda = ReadRows(r, "lambda", k, terms, (row, c) => (long)c * k + row);
            double[] alpha = r.Doubles("alpha", k);
            double eta = r.Double("eta");
            if (lambda.Any(v => !(v > 0)) || alpha.Any(v => !(v > 0)) || !(eta > 0))
                throw r.Fail("has a λ, α or η that is not positive");
            maxDocumentIterations = r.Int("maxDocumentIterations");
            documentTolerance = r.Double("documentTolerance");
            if (maxDocumentIterations < 1 || documentTolerance < 0)
                throw r.Fail("has maxDocumentIterations < 1 or a negative documentTolerance");
            lda = new LdaParameters(k, terms, lambda, [], alpha, eta);
        }
        else
        {
            tempering = r.Double("tempering");
            if (!(tempering > 0 && tempering <= 1))
                throw r.Fail($"has tempering {tempering}; it must be in (0, 1]");
        }
        double objective = r.Double("trainingObjective");
        double[]? documentTopic = r.Has("documentTopic") ? ReadRows(r, "documentTopic", documents, k, (row, c) => (long)row * k + c) : null;
        FitSummary summary = FitSummaryFields.Read(r, "objectiveHistory");
        return new TopicModel(
            method == "lda" ? TopicMethod.Lda : TopicMethod.Plsa, k, terms, documents, tokens, topicWord, documentTopic, vocabulary,
            objective, summary, lda, tempering, maxDocumentIterations, documentTolerance);
    }

    private static void WriteRows(Utf8JsonWriter w, string name, double[] values, int rows, int columns, Func<int, int, long> index)
    {
        w.WriteStartArray(name);
        for (int row = 0; row < rows; row++)
        {
            w.WriteStartArray();
            for (int c = 0; c < columns; c++)
                w.WriteNumberValue(values[index(row, c)]);
            w.WriteEndArray();
        }
        w.WriteEndArray();
    }

    private static double[] ReadRows(ModelDocument.Reader r, string name, int rows, int columns, Func<int, int, long> index)
    {
        JsonElement e = r.Field(name);
        if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() != rows)
            throw r.Fail($"field '{name}' is not an array of {rows} rows");
        // Every row's shape first: the table is allocated only once the file has shown it holds
        // it, so sizes a file merely claims never allocate.
        int shaped = 0;
        foreach (JsonElement row in e.EnumerateArray())
        {
            if (row.ValueKind != JsonValueKind.Array || row.GetArrayLength() != columns)
                throw r.Fail($"field '{name}' row {shaped} is not an array of {columns} numbers");
            shaped++;
        }
        var values = new double[r.Length(name, rows, columns)];
        int i = 0;
        foreach (JsonElement row in e.EnumerateArray())
        {
            int c = 0;
            foreach (JsonElement item in row.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Number || !item.TryGetDouble(out double v) || !double.IsFinite(v))
                    throw r.Fail($"field '{name}' row {i} has a value at index {c} that is not a finite number");
                values[index(i, c)] = v;
                c++;
            }
            i++;
        }
        return values;
    }
}
