package dev.plateau.cli;

import dev.plateau.prune.ModulePlan;
import dev.plateau.prune.Plan;
import dev.plateau.workbench.PlateauException;
import dev.plateau.workbench.Workbench;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code plateau plan ANALYSIS.json --k MODULE=K ... --out PLAN.json}, and {@code plateau plan --check PLAN CKPT}. */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = {"Choose the layers to remove with Algorithm 1 (or a baseline) under the model's rules.",
                "With --check: hold an existing plan against a checkpoint."})
final class PlanCommand implements Callable<Integer> {

    @Parameters(arity = "1..2", paramLabel = "FILE",
            description = "ANALYSIS.json; with --check: PLAN.json CKPT")
    private List<Path> files;

    @Option(names = "--check", description = "validate PLAN.json against the checkpoint CKPT")
    private boolean check;

    @Option(names = "--k", paramLabel = "MODULE=K", description = "layers to remove from MODULE (repeatable)")
    private Map<String, Integer> budget = new LinkedHashMap<>();

    @Option(names = "--tau", description = "threshold of Algorithm 1 for every module (default: auto-tau, the "
            + "largest tau whose candidate pool holds k)")
    private Double tau;

    @Option(names = "--criterion", defaultValue = "cka", description = "cka, cka-minibatch, cosine, mse, angular, bi, "
            + "random or keep-first (default: ${DEFAULT-VALUE})")
    private String criterion;

    @Option(names = "--untie", description = "plan modules tied by depth (SmolVLA's and pi0's VLM and expert) each on "
            + "its own profile, with the same budget; by default the expert removes the VLM's layers")
    private boolean untie;

    @Option(names = "--seed", defaultValue = "0", description = "seed of the random criterion")
    private long seed;

    @Option(names = "--checkpoint", paramLabel = "CKPT",
            description = "take the rules from this checkpoint (default: the analysed family's standard rules)")
    private Path checkpoint;

    @Option(names = "--out", paramLabel = "PLAN.json", description = "where to write the plan")
    private Path out;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter w = spec.commandLine().getOut();
        Workbench workbench = Workbench.standard();
        if (check) {
            if (files.size() != 2) {
                throw new PlateauException("plan --check needs PLAN.json and CKPT");
            }
            List<String> problems = workbench.checkPlan(files.get(0), files.get(1));
            if (!problems.isEmpty()) {
                throw new PlateauException(files.get(0) + ": " + String.join("; and ", problems));
            }
            w.println(files.get(0) + " is a valid plan for " + files.get(1));
            w.flush();
            return 0;
        }
        if (files.size() != 1 || out == null) {
            throw new PlateauException("plan needs one ANALYSIS.json and --out PLAN.json");
        }
        Plan plan = workbench.plan(files.getFirst(), Optional.ofNullable(checkpoint), criterion, seed,
                tau == null ? OptionalDouble.empty() : OptionalDouble.of(tau), budget, !untie, out);
        for (ModulePlan m : plan.modules().values()) {
            w.printf(Locale.ROOT, "%s: remove %s, keep %d of %d (%s%s)%n", m.module(), m.remove(), m.kept().size(),
                    m.layers(), m.criterion(), Double.isNaN(m.tau()) ? "" : String.format(Locale.ROOT, ", tau %.4f",
                            m.tau()));
            m.notes().forEach(n -> w.println("  note: " + n));
        }
        w.println("wrote " + out);
        w.flush();
        return 0;
    }
}
