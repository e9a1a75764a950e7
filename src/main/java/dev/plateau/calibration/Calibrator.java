package dev.plateau.calibration;

import ai.djl.Device;
import ai.djl.engine.EngineException;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.ndarray.NDManager;
import dev.plateau.analysis.ActivationFile;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.engine.DecoderConfig;
import dev.plateau.engine.DecoderStack;
import dev.plateau.engine.Devices;
import dev.plateau.model.Family;
import dev.plateau.model.ModelSpec;
import dev.plateau.model.ModuleSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/**
 * One calibration run: draws the samples, tokenizes their instructions, runs the forward pass layer by layer and
 * writes every layer's hidden states (non-padding tokens) to an activation file, atomically.
 */
public final class Calibrator {
    /** Token type code of language tokens in activation files. */
    public static final byte LANGUAGE = 1;

    private Calibrator() {
    }

    /** What the run recorded. */
    public record Result(Path activations, int samples, long tokens, int layers, String device) {
    }

    public static Result calibrate(Checkpoint checkpoint, ModelSpec spec, Path data, int samples, long seed,
                                   String device, Path out, BooleanSupplier cancelled, DecoderStack.Progress progress)
            throws IOException {
        if (spec.family() != Family.DECODER_LLM) {
            throw new CalibrationException(checkpoint.folder() + ": calibration of " + spec.family().displayName()
                    + " needs its own forward pass, which Plateau does not have yet (decoder LLMs only for now); "
                    + "bring activations recorded elsewhere (README: activation files)");
        }
        if (samples < 1) {
            throw new CalibrationException("--samples must be at least 1");
        }
        CalibrationSet set = CalibrationSet.read(data);
        List<CalibrationSet.Sample> drawn = set.draw(samples, seed);
        List<int[]> sequences = new ArrayList<>();
        try (HuggingFaceTokenizer tokenizer = Tokenizers.open(checkpoint.folder(), checkpoint.config())) {
            for (CalibrationSet.Sample s : drawn) {
                long[] ids = tokenizer.encode(s.instruction()).getIds();
                if (ids.length == 0) {
                    throw new CalibrationException(data.resolve(CalibrationSet.MANIFEST) + " line " + s.line()
                            + ": the instruction has no tokens");
                }
                int[] asInts = new int[ids.length];
                for (int i = 0; i < ids.length; i++) {
                    asInts[i] = Math.toIntExact(ids[i]);
                }
                sequences.add(asInts);
            }
        }
        ModuleSpec decoder = spec.module("decoder").orElseThrow();
        Device chosen = Devices.of(device);
        Map<Integer, float[][]> states = new TreeMap<>();
        try (NDManager manager = NDManager.newBaseManager(chosen)) {
            new DecoderStack(checkpoint, DecoderConfig.ofHuggingFace(checkpoint.config()), decoder.name(),
                    decoder.layerPrefix(), decoder.layerCount(), "model.embed_tokens.weight")
                    .run(sequences, Set.of(), (module, layer, s) -> states.put(layer, rows(s.toFloatArray(),
                            decoder.hiddenSize())), manager, cancelled, progress);
        } catch (EngineException e) {
            String message = String.valueOf(e.getMessage());
            throw new CalibrationException(message.toLowerCase(java.util.Locale.ROOT).contains("out of memory")
                    ? chosen + " ran out of memory; calibrate with fewer --samples or on --device cpu"
                    : "the tensor engine failed on " + chosen + ": " + message.lines().findFirst().orElse(""));
        }
        float[][] input = states.remove(-1);
        byte[] types = new byte[input.length];
        java.util.Arrays.fill(types, LANGUAGE);
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("family", spec.family().code());
        metadata.put("architecture", spec.architecture());
        metadata.put("source", checkpoint.folder().toAbsolutePath().toString());
        metadata.put("data", data.toAbsolutePath().toString());
        metadata.put("samples", Integer.toString(drawn.size()));
        metadata.put("seed", Long.toString(seed));
        metadata.put("manifest_lines", drawn.stream().map(s -> Integer.toString(s.line()))
                .reduce((a, b) -> a + "," + b).orElse(""));
        metadata.put("device", chosen.toString());
        ActivationFile.write(out, metadata, List.of(new ActivationFile.ModuleStates(decoder.name(),
                new ArrayList<>(states.values()), input, types)));
        return new Result(out, drawn.size(), input.length, states.size(), chosen.toString());
    }

    private static float[][] rows(float[] flat, int width) {
        float[][] out = new float[flat.length / width][];
        for (int r = 0; r < out.length; r++) {
            out[r] = java.util.Arrays.copyOfRange(flat, r * width, (r + 1) * width);
        }
        return out;
    }
}
