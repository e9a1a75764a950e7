package dev.plateau;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The package rules of DESIGN.md. */
class ArchitectureTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.plateau");
    }

    @Test
    void onlyTheUserInterfaceImportsJavaFx() {
        noClasses().that().resideOutsideOfPackage("dev.plateau.ui..")
                .should().dependOnClassesThat().resideInAnyPackage("javafx..", "org.controlsfx..", "org.jfree.chart.fx..")
                .allowEmptyShould(true).check(classes);
    }

    @Test
    void djlOnlyInEngineAnalysisAndCalibration() {
        noClasses().that().resideOutsideOfPackages("dev.plateau.engine..", "dev.plateau.analysis..",
                        "dev.plateau.calibration..")
                .should().dependOnClassesThat().resideInAPackage("ai.djl..").check(classes);
    }

    /** Parquet and video decoding are calibration's business: reading datasets. */
    @Test
    void datasetLibrariesOnlyInCalibration() {
        noClasses().that().resideOutsideOfPackage("dev.plateau.calibration..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.hardwood..", "org.bytedeco..")
                .check(classes);
    }

    @Test
    void checkpointDependsOnNothingOfOurs() {
        noClasses().that().resideInAPackage("dev.plateau.checkpoint..")
                .should().dependOnClassesThat(resideInAPackage("dev.plateau..")
                        .and(not(resideInAPackage("dev.plateau.checkpoint.."))))
                .check(classes);
    }

    @Test
    void modelDependsOnlyOnCheckpoint() {
        noClasses().that().resideInAPackage("dev.plateau.model..")
                .should().dependOnClassesThat(resideInAPackage("dev.plateau..")
                        .and(not(resideInAnyPackage("dev.plateau.model..", "dev.plateau.checkpoint.."))))
                .check(classes);
    }

    /** They call the workbench's services; of the core they may only read values (records, enums, sealed types). */
    @Test
    void cliAndUiReachTheCoreThroughTheWorkbench() {
        DescribedPredicate<JavaClass> values = DescribedPredicate.describe("values (records, enums, sealed types)",
                c -> c.isEnum() || c.getRawSuperclass().map(s -> s.isEquivalentTo(Record.class)).orElse(false)
                        || c.reflect().isSealed());
        noClasses().that().resideInAnyPackage("dev.plateau.cli..", "dev.plateau.ui..")
                .should().dependOnClassesThat(resideInAnyPackage("dev.plateau.checkpoint..", "dev.plateau.model..",
                        "dev.plateau.engine..", "dev.plateau.calibration..", "dev.plateau.analysis..",
                        "dev.plateau.prune..", "dev.plateau.finetune..", "dev.plateau.report..")
                        .and(not(values)))
                .check(classes);
    }

    @Test
    void theCoreNeverReachesUpToItsFrontEnds() {
        noClasses().that().resideOutsideOfPackages("dev.plateau.cli..", "dev.plateau.ui..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.plateau.cli..", "dev.plateau.ui..")
                .check(classes);
    }

    @Test
    void packagesHaveNoCycles() {
        slices().matching("dev.plateau.(*)..").should().beFreeOfCycles().check(classes);
    }

    /**
     * What a family is lives in its homes: model (its profile, layout and rules); outside, one exhaustive switch per
     * package that needs family-specific code (calibration's inputs, the window's training defaults, finetune's
     * recipe); nowhere a {@code family() == Family.X} test or another switch.
     */
    @Test
    void familyKnowledgeLivesInItsHomes() throws IOException {
        Pattern branch = Pattern.compile("family\\(\\) *[!=]=|Family\\.[A-Z][A-Z0-9_]*\\b"
                + "|case +(SMOLVLA|PI0|PI05|GR00T_N1_5|DECODER_LLM)\\b");
        Set<String> switches = Set.of("calibration/FamilyInputs.java", "workbench/TrainingDefaults.java",
                "finetune/Recipe.java");
        Path root = Path.of("src/main/java/dev/plateau");
        List<String> outside = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String relative = root.relativize(file).toString().replace('\\', '/');
                if (relative.startsWith("model/") || switches.contains(relative)) {
                    continue;
                }
                Matcher m = branch.matcher(Files.readString(file));
                while (m.find()) {
                    outside.add(relative + ": " + m.group());
                }
            }
        }
        assertEquals(List.of(), outside, "family branches outside the family's homes");
    }

    @Test
    void everyPackageSaysWhatItOwns() throws IOException {
        Path root = Path.of("src/main/java");
        try (Stream<Path> dirs = Files.walk(root)) {
            List<Path> missing = dirs.filter(Files::isDirectory).filter(ArchitectureTest::holdsJava)
                    .filter(d -> !Files.exists(d.resolve("package-info.java"))).toList();
            assertEquals(List.of(), missing, "packages without package-info.java");
        }
    }

    private static boolean holdsJava(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(f -> f.toString().endsWith(".java"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
