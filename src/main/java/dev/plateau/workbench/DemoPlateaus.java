package dev.plateau.workbench;

import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo's weights are random, but not uniformly so: in the VLM and the expert, the layers that open a block write
 * strongly and non-linearly into the residual stream (their input projections drawn 4x wider, their output
 * projections 8x) and the others weakly (output projections 0.1x), so the
 * demo shows redundancy plateaus as trained models do, and Algorithm 1 has blocks to find.
 */
final class DemoPlateaus {
    static final String KEY = "plateau_demo";
    static final String REVISION = "plateaus-2";
    private static final Set<Integer> OPENERS = Set.of(0, 4, 7, 11, 13);
    private static final Pattern LAYER = Pattern.compile(
            ".*(?:text_model|lm_expert)\\.layers\\.(\\d+)\\.(self_attn\\.[qko]_proj|mlp\\.\\w+_proj)\\.weight");

    private DemoPlateaus() {
    }

    static double gain(String tensor) {
        Matcher m = LAYER.matcher(tensor);
        if (!m.matches()) {
            return 1;
        }
        boolean opener = OPENERS.contains(Integer.parseInt(m.group(1)));
        boolean output = m.group(2).endsWith("o_proj") || m.group(2).endsWith("down_proj");
        return output ? (opener ? 8 : 0.1) : (opener ? 4 : 1);
    }
}
