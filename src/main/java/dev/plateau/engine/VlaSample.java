package dev.plateau.engine;

import java.util.List;

/**
 * The inputs of one calibration sample of a VLA, prepared as the family's preprocessor does.
 *
 * @param images  camera images, [3][height][width] in [-1, 1] at the model's size, in camera order
 * @param tokens  the instruction's token ids
 * @param state   the robot state, zero-padded to max_state_dim
 * @param actions the action chunk [chunk][max_action_dim] (zeros when the data has none)
 * @param noise   the flow-matching noise, same shape as the actions
 * @param time    the flow-matching time t (LeRobot's VLAs: t = 1 is noise; GR00T: t = 1 is the data)
 */
public record VlaSample(List<float[][][]> images, int[] tokens, float[] state, float[][] actions, float[][] noise,
                        float time) {
}
