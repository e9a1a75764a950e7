/**
 * The JavaFX workbench window: views over headless-testable view models ({@link dev.plateau.ui.SessionViewModel},
 * {@link dev.plateau.ui.Jobs}), the dialogs (export, sweep, storage) and figure export to PNG, SVG, CSV and JSON; the
 * charts themselves come from {@code dev.plateau.figures}, which the report shares. Reaches the core only through
 * {@link dev.plateau.workbench.Workbench}.
 */
package dev.plateau.ui;
