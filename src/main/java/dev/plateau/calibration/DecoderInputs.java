package dev.plateau.calibration;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.plateau.analysis.TokenType;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.engine.DecoderConfig;
import dev.plateau.engine.DecoderStack;
import dev.plateau.model.ModelSpec;
import dev.plateau.model.ModuleSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.UnaryOperator;

/** A decoder LLM's input: each sample's text, tokenized whole (special tokens as the tokenizer adds them). */
final class DecoderInputs implements FamilyInputs {

    @Override
    public BatchRun batches(Checkpoint checkpoint, ModelSpec spec, Path data, HuggingFaceTokenizer tokenizer,
                            long seed, OptionalDouble time, LayerSkips skips) {
        ModuleSpec decoder = spec.module("decoder").orElseThrow();
        DecoderStack stack = new DecoderStack(checkpoint, DecoderConfig.ofHuggingFace(checkpoint.config()),
                decoder.name(), decoder.layerPrefix(), decoder.layerCount(), "model.embed_tokens.weight");
        return (batch, first, sink, manager, cancelled, progress) -> {
            List<int[]> sequences = new ArrayList<>();
            for (CalibrationSample s : batch) {
                sequences.add(Tokenizers.ids(tokenizer, s.instruction(), Integer.MAX_VALUE, data, s));
            }
            skips.start();
            stack.run(sequences, skips.of("decoder"), sink, manager, cancelled, progress);
            skips.stop();
            TokenLayout layout = new TokenLayout(first);
            for (int[] sequence : sequences) {
                layout.sample().add(TokenType.LANGUAGE, sequence.length);
            }
            return Map.of("decoder", layout.described());
        };
    }

    @Override
    public List<TokenType> tokenTypes(String module) {
        return List.of(TokenType.LANGUAGE);
    }

    /** A generous 64 tokens of text. */
    @Override
    public Map<String, Long> tokensPerSample(Checkpoint checkpoint, ModelSpec spec, int cameras) {
        return Map.of("decoder", 64L);
    }

    /** Text has no state or actions. */
    @Override
    public UnaryOperator<double[]> normaliser(FeatureStats stats, String mode) {
        return UnaryOperator.identity();
    }

    @Override
    public Optional<String> normalisation() {
        return Optional.empty();
    }

    @Override
    public Optional<String> timestepSampling() {
        return Optional.empty();
    }
}
