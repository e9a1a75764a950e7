package dev.plateau.cli;

import dev.plateau.workbench.Workbench;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code plateau synth MODEL --out DIR}: writes a synthetic checkpoint with a family's exact layout. */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = {"Write a synthetic checkpoint with the exact tensor names, dtypes and config of a family:",
                "small with seeded random weights, or --real-size with the real dimensions and unwritten (sparse) data.",
                "MODEL: smolvla, pi0, pi0-openpi, pi05, pi05-lerobot, gr00t, llama, qwen2, qwen3, gemma, mistral."})
final class SynthCommand implements Callable<Integer> {

    @Parameters(paramLabel = "MODEL", description = "which layout")
    private String model;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output folder")
    private Path out;

    @Option(names = "--real-size", description = "real dimensions; tensor data left unwritten (sparse files)")
    private boolean realSize;

    @Option(names = "--shard-mb", paramLabel = "MB",
            description = "shard at this many MB (default: as the real checkpoint; -1: one file)")
    private long shardMb;

    @Option(names = "--seed", defaultValue = "0", description = "seed of the random weights (default ${DEFAULT-VALUE})")
    private long seed;

    @Option(names = "--force", description = "replace an existing output folder")
    private boolean force;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        long shardBytes = shardMb < 0 ? -1 : shardMb * 1_000_000L;
        Path written = Workbench.standard().synthesize(model, realSize, out, shardBytes, seed, force);
        spec.commandLine().getOut().println("wrote " + written);
        return 0;
    }
}
