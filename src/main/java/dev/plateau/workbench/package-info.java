/**
 * The application service: the one entry point the command line and the window call. It opens checkpoints, builds
 * the demo and synthetic checkpoints, and turns every problem with the user's input into a {@link
 * dev.plateau.workbench.PlateauException} with one clear line. A study is kept as a session file
 * ({@link dev.plateau.workbench.SessionFile}), written up as a report, and its budgets swept
 * ({@link dev.plateau.workbench.SweepPoint}).
 *
 * <p>The command line and the window call only this package's services; they may read the value records (model
 * specs, plans) that it returns.
 */
package dev.plateau.workbench;
