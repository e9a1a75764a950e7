package dev.plateau.ui;

import dev.plateau.model.ModelSpec;
import dev.plateau.model.ModuleSpec;
import dev.plateau.workbench.OpenedModel;
import java.util.Locale;
import javafx.scene.control.TreeItem;
import javafx.scene.control.TreeView;

/** The open checkpoint: family, then each module with its layers and their parameters; selecting one shows it. */
final class ModelTree extends TreeView<String> {

    ModelTree(SessionViewModel vm) {
        setId("moduleTree");
        setShowRoot(true);
        vm.modelProperty().addListener((o, a, b) -> show(b));
        getSelectionModel().selectedItemProperty().addListener((o, a, item) -> {
            if (item == null) {
                return;
            }
            TreeItem<String> moduleItem = item.getParent() != null && item.getParent().getParent() == getRoot()
                    ? item.getParent() : item;
            if (moduleItem.getParent() == getRoot() && moduleItem.getGraphic() == null) {
                String module = moduleItem.getValue().split(" ")[0];
                if (vm.settings().containsKey(module)) {
                    vm.selectedModuleProperty().set(module);
                    vm.selectedLayerProperty().set(item == moduleItem ? -1 : moduleItem.getChildren().indexOf(item));
                }
            }
        });
        show(vm.modelProperty().get());
    }

    private void show(OpenedModel model) {
        if (model == null) {
            setRoot(new TreeItem<>("no checkpoint open"));
            return;
        }
        ModelSpec spec = model.spec();
        TreeItem<String> root = new TreeItem<>(spec.family().displayName() + " \u00b7 " + PlanPane.millions(
                spec.totalParams()) + " parameters \u00b7 " + spec.folder().getFileName());
        root.setExpanded(true);
        for (ModuleSpec m : spec.modules()) {
            TreeItem<String> module = new TreeItem<>(m.name() + String.format(Locale.ROOT, "  (%d layers, %s)",
                    m.layerCount(), PlanPane.millions(m.params())));
            for (int i = 0; i < m.layerCount(); i++) {
                module.getChildren().add(new TreeItem<>("layer " + i + "  " + PlanPane.millions(
                        m.paramsPerLayer().get(i))));
            }
            root.getChildren().add(module);
        }
        setRoot(root);
    }
}
