package dev.plateau.finetune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The trainers' log lines, copied in their real formats (LeRobot 0.4 and HEAD, transformers 4.51 and 5). */
class LogParserTest {

    @Test
    void formatBigNumberRoundsHalfToEvenAsPythonDoes() {
        // Python: f"{1.5:.0f}" == "2", f"{2.5:.0f}" == "2", f"{1.499:.0f}" == "1"
        assertEquals("999", LeRobotLogParser.formatBigNumber(999));
        assertEquals("1K", LeRobotLogParser.formatBigNumber(1499));
        assertEquals("2K", LeRobotLogParser.formatBigNumber(1500));
        assertEquals("2K", LeRobotLogParser.formatBigNumber(2500));
        assertEquals("4K", LeRobotLogParser.formatBigNumber(3500));
        assertEquals("1000K", LeRobotLogParser.formatBigNumber(999_500));
        assertEquals("1M", LeRobotLogParser.formatBigNumber(1_000_000));
    }

    @Test
    void lerobotLinesOfBothVersionsGiveStepLossAndLearningRate() {
        LogParser p = LogParser.of(Recipe.LEROBOT, 200);
        assertEquals(Optional.empty(), p.parse("INFO 2025-10-20 14:02:50 ot_train.py:280 Creating policy"));
        assertEquals(Optional.of(new TrainingMetric(200, 0.518, 2.0e-05)), p.parse(
                "INFO 2025-10-20 14:03:11 ot_train.py:435 step:200 smpl:13K ep:43 epch:0.43 loss:0.518 grdn:3.104 "
                        + "lr:2.0e-05 updt_s:0.385 data_s:0.012"));
        TrainingMetric head = p.parse("INFO 2026-08-23 10:15:42 ot_train.py:769 step:400 smpl:26K ep:85 epch:0.85 "
                + "loss:0.212 grdn:0.512 lr:9.8e-05 data_s:0.012 prep_s:0.004 updt_s:0.385 step_s:0.401 smp/s:160 "
                + "mem_gb:21.37 losses_after_forward:0.043 losses_after_in_ep_bound:0.042 "
                + "losses_after_rm_padding:0.042").orElseThrow();
        assertEquals(new TrainingMetric(400, 0.212, 9.8e-05), head, "loss:, not losses_after_forward:");
    }

    @Test
    void lerobotRoundedStepsAreRecoveredFromTheLogInterval() {
        LogParser p = LogParser.of(Recipe.LEROBOT, 500);
        long[] expected = {500, 1000, 1500, 2000, 2500, 3000};
        // what format_big_number prints for those steps: 500, 1K, 2K, 2K, 2K, 3K
        String[] printed = {"500", "1K", "2K", "2K", "2K", "3K"};
        for (int i = 0; i < expected.length; i++) {
            TrainingMetric m = p.parse("INFO 2025-10-20 14:03:11 ot_train.py:435 step:" + printed[i]
                    + " smpl:1M ep:2K epch:9.99 loss:0.100 grdn:0.5 lr:1.0e-04 updt_s:0.3 data_s:0.0").orElseThrow();
            assertEquals(expected[i], m.step());
        }
        LogParser resumed = LogParser.of(Recipe.LEROBOT, 500);
        assertEquals(12_000, resumed.parse("INFO x ot_train.py:435 step:12K smpl:1M ep:2K epch:9.99 loss:0.1 "
                + "lr:1.0e-04").orElseThrow().step(), "a log that starts mid-run takes the printed value");
    }

    @Test
    void hfTrainerDictsInBothTransformersVersions() {
        LogParser p = LogParser.of(Recipe.GR00T, 10);
        assertEquals(Optional.empty(), p.parse("  1%|▏         | 100/10000 [01:23<2:17:30,  1.20it/s]"));
        assertEquals(Optional.of(new TrainingMetric(10, 0.0843, 2.0000000000000003e-06)), p.parse(
                "{'loss': 0.0843, 'grad_norm': 0.41279032826423645, 'learning_rate': 2.0000000000000003e-06, "
                        + "'epoch': 0.15}"));
        assertEquals(Optional.of(new TrainingMetric(20, 0.0516, 2e-06)), p.parse(
                "{'loss': '0.0516', 'grad_norm': '0.4128', 'learning_rate': '2e-06', 'epoch': '0.1515'}"));
        assertEquals(Optional.empty(), p.parse("{'train_runtime': 3725.4312, 'train_samples_per_second': 85.899, "
                + "'train_steps_per_second': 2.684, 'train_loss': 0.04512740251123905, 'epoch': 151.52}"));
        assertEquals(30, p.parse(" 12%|█▏        | 30/250 [00:03<00:22,  9.66it/s]{'loss': 0.3, 'learning_rate': 1e-05, "
                + "'epoch': 0.1}").orElseThrow().step(), "stdout's dict after stderr's bar on one line");
        TrainingMetric diverged = p.parse("{'loss': nan, 'grad_norm': nan, 'learning_rate': 1e-05, 'epoch': 0.2}")
                .orElseThrow();
        assertEquals(40, diverged.step());
        assertTrue(Double.isNaN(diverged.loss()), "a diverged run's nan loss is kept, not dropped");
    }
}
