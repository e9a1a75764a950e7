package dev.plateau.ui;

import java.util.List;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

/**
 * What the user chose for one module: Algorithm 1 at threshold tau (or auto-tau) with budget k, a fixed removal set
 * (a loaded plan), or the same layers as its tied partner.
 */
public final class ModuleSettings {
    private final String module;
    private final int layers;
    private final DoubleProperty tau = new SimpleDoubleProperty(this, "tau", Double.NaN);
    private final BooleanProperty autoTau = new SimpleBooleanProperty(this, "autoTau", true);
    private final IntegerProperty k = new SimpleIntegerProperty(this, "k", 0);
    private final ObjectProperty<List<Integer>> fixed = new SimpleObjectProperty<>(this, "fixed");
    /** The module whose removal set this one follows (tied depth), or null. */
    private final StringProperty follows = new SimpleStringProperty(this, "follows");

    public ModuleSettings(String module, int layers) {
        this.module = module;
        this.layers = layers;
    }

    public String module() {
        return module;
    }

    public int layers() {
        return layers;
    }

    public DoubleProperty tauProperty() {
        return tau;
    }

    public BooleanProperty autoTauProperty() {
        return autoTau;
    }

    public IntegerProperty kProperty() {
        return k;
    }

    public ObjectProperty<List<Integer>> fixedProperty() {
        return fixed;
    }

    public StringProperty followsProperty() {
        return follows;
    }

    /** The settings as a value, for undo. */
    Snapshot snapshot() {
        return new Snapshot(tau.get(), autoTau.get(), k.get(), fixed.get(), follows.get());
    }

    void restore(Snapshot s) {
        tau.set(s.tau());
        autoTau.set(s.autoTau());
        k.set(s.k());
        fixed.set(s.fixed());
        follows.set(s.follows());
    }

    record Snapshot(double tau, boolean autoTau, int k, List<Integer> fixed, String follows) {
    }
}
