package dev.plateau.model;

import static dev.plateau.checkpoint.DType.BF16;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plateau.checkpoint.Json;
import java.util.Map;

/**
 * The tensors and config of a Hugging Face decoder LLM: Llama and Mistral (plain), Qwen2 (q/k/v biases), Qwen3
 * (q/k RMSNorm), Gemma ((1 + w) RMSNorm). BF16, the LM head stored only when not tied.
 */
public final class DecoderLlmLayout {

    /** The dimensions of a decoder LLM, with presets of real models. */
    public record Dims(String modelType, String architecture, int width, int layers, int heads, int kvHeads,
                       int headDim, int mlp, int vocab, boolean tiedEmbeddings, double ropeTheta) {

        public static Dims llama32_1b() {
            return new Dims("llama", "LlamaForCausalLM", 2048, 16, 32, 8, 64, 8192, 128256, true, 500000);
        }

        public static Dims qwen25_05b() {
            return new Dims("qwen2", "Qwen2ForCausalLM", 896, 24, 14, 2, 64, 4864, 151936, true, 1000000);
        }

        public static Dims qwen3_06b() {
            return new Dims("qwen3", "Qwen3ForCausalLM", 1024, 28, 16, 8, 128, 3072, 151936, true, 1000000);
        }

        public static Dims gemma_2b() {
            return new Dims("gemma", "GemmaForCausalLM", 2048, 18, 8, 1, 256, 16384, 256000, true, 10000);
        }

        public static Dims mistral_7b() {
            return new Dims("mistral", "MistralForCausalLM", 4096, 32, 32, 8, 128, 14336, 32000, false, 1000000);
        }

        /** The same model type and depth with widths scaled down. */
        public Dims tiny() {
            return new Dims(modelType, architecture, 64, layers, 4, Math.min(kvHeads, 2), 16, 128, 512,
                    tiedEmbeddings, ropeTheta);
        }

        boolean qkvBias() {
            return modelType.equals("qwen2");
        }

        boolean qkNorm() {
            return modelType.equals("qwen3");
        }

        boolean zeroCenteredNorm() {
            return modelType.equals("gemma");
        }
    }

    private DecoderLlmLayout() {
    }

    public static SyntheticCheckpoint of(String name, Dims d) {
        TensorListing t = new TensorListing(d.zeroCenteredNorm());
        t.add("model.embed_tokens.weight", BF16, d.vocab(), d.width());
        int q = d.heads() * d.headDim();
        int kv = d.kvHeads() * d.headDim();
        for (int i = 0; i < d.layers(); i++) {
            String p = "model.layers." + i + ".";
            DecoderLayers.add(t, p, d.width(), q, kv, d.width(), d.mlp(), BF16, BF16);
            if (d.qkvBias()) {
                t.add(p + "self_attn.q_proj.bias", BF16, q);
                t.add(p + "self_attn.k_proj.bias", BF16, kv);
                t.add(p + "self_attn.v_proj.bias", BF16, kv);
            }
            if (d.qkNorm()) {
                t.add(p + "self_attn.q_norm.weight", BF16, d.headDim());
                t.add(p + "self_attn.k_norm.weight", BF16, d.headDim());
            }
        }
        t.add("model.norm.weight", BF16, d.width());
        if (!d.tiedEmbeddings()) {
            t.add("lm_head.weight", BF16, d.vocab(), d.width());
        }
        return new SyntheticCheckpoint(name, config(d), t.tensors(), Map.of(
                "generation_config.json", "{\"do_sample\": false}\n",
                "tokenizer_config.json", "{\"model_max_length\": 4096}\n",
                "tokenizer.json", SyntheticTokenizer.json()), 0);
    }

    private static ObjectNode config(Dims d) {
        ObjectNode c = Json.MAPPER.createObjectNode();
        c.putArray("architectures").add(d.architecture());
        c.put("model_type", d.modelType());
        c.put("hidden_size", d.width());
        c.put("intermediate_size", d.mlp());
        c.put("num_hidden_layers", d.layers());
        c.put("num_attention_heads", d.heads());
        c.put("num_key_value_heads", d.kvHeads());
        c.put("head_dim", d.headDim());
        c.put("vocab_size", d.vocab());
        c.put("max_position_embeddings", 32768);
        c.put("rms_norm_eps", 1e-6);
        c.put("rope_theta", d.ropeTheta());
        c.put("tie_word_embeddings", d.tiedEmbeddings());
        c.put("hidden_act", d.zeroCenteredNorm() ? "gelu_pytorch_tanh" : "silu");
        if (d.modelType().startsWith("qwen")) {
            ArrayNode types = c.putArray("layer_types");
            for (int i = 0; i < d.layers(); i++) {
                types.add("full_attention");
            }
        }
        c.put("torch_dtype", "bfloat16");
        return c;
    }
}
