package dev.plateau.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plateau.checkpoint.Json;
import java.util.List;

/**
 * The tokenizer.json of synthetic checkpoints: a Hugging Face word-level tokenizer (lower-casing, whitespace and
 * punctuation split) over the words of robot instructions, ids below every synthetic vocabulary's size.
 */
final class SyntheticTokenizer {
    static final List<String> WORDS = List.of("[UNK]", "<s>", "pick", "up", "the", "red", "green", "blue", "yellow",
            "cube", "block", "bowl", "cup", "plate", "put", "place", "it", "in", "on", "into", "onto", "open", "close",
            "drawer", "door", "top", "left", "right", "push", "pull", "move", "to", "a", "and", "then", "stack",
            "towel", "fold", "wipe", "table", "turn", "knob", "stove", "sink", "lift", "slide", "handle", "of", ".",
            ",");

    private SyntheticTokenizer() {
    }

    /** Eagle's chat and image tokens, which the GR00T backbone's prompt uses (ids after the words). */
    static final List<String> EAGLE_SPECIAL_TOKENS = List.of("<|im_start|>", "<|im_end|>", "<IMG_CONTEXT>", "<img>",
            "</img>");

    static String json() {
        return json(List.of());
    }

    /** The tokenizer with {@code special} added as special tokens, ids following the words. */
    static String json(List<String> special) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        var added = root.putArray("added_tokens");
        for (int i = 0; i < special.size(); i++) {
            ObjectNode token = added.addObject();
            token.put("id", WORDS.size() + i);
            token.put("content", special.get(i));
            token.put("single_word", false);
            token.put("lstrip", false);
            token.put("rstrip", false);
            token.put("normalized", false);
            token.put("special", true);
        }
        root.putObject("normalizer").put("type", "Lowercase");
        root.putObject("pre_tokenizer").put("type", "Whitespace");
        root.putNull("post_processor");
        root.putNull("decoder");
        ObjectNode model = root.putObject("model");
        model.put("type", "WordLevel");
        ObjectNode vocab = model.putObject("vocab");
        for (int i = 0; i < WORDS.size(); i++) {
            vocab.put(WORDS.get(i), i);
        }
        for (int i = 0; i < special.size(); i++) {
            vocab.put(special.get(i), WORDS.size() + i);
        }
        model.put("unk_token", "[UNK]");
        return root.toPrettyString() + "\n";
    }
}
