package dev.plateau.model;

/**
 * A Python start-up hook ({@code sitecustomize.py}) that lets the ORIGINAL pi0 and pi0.5 code build a pruned depth
 * unedited. LeRobot's {@code get_gemma_config} and openpi's {@code gemma.get_config} hard-code 18 layers for both
 * Gemma variants; on a PYTHONPATH that starts with the hook's folder, Python imports the hook at start-up, and the hook
 * wraps those two functions as their modules load, so that every variant they return has the pruned depth. Nothing
 * else changes: config.json keeps its variant names, and the strict loaders see exactly the export's layers. An
 * existing {@code sitecustomize} further down the path still runs.
 */
final class GemmaDepthHook {
    private GemmaDepthHook() {
    }

    static String source(int depth) {
        return """
                # Written by Plateau into a pruned pi0 / pi0.5 export. LeRobot's get_gemma_config and openpi's
                # gemma.get_config hard-code 18 layers; with this folder first on PYTHONPATH, Python runs this file at
                # start-up and the Gemma configs those functions return get the pruned depth, so lerobot-train and
                # openpi's train_pytorch.py build (and strictly load) the export unedited:
                #     PYTHONPATH=<export>/plateau_hook lerobot-train --policy.path=<export> ...
                import dataclasses
                import importlib.abc
                import importlib.machinery
                import importlib.util
                import os
                import sys

                DEPTH = %d
                PATCHED = {
                    "lerobot.policies.pi0.modeling_pi0": "get_gemma_config",
                    "lerobot.policies.pi05.modeling_pi05": "get_gemma_config",
                    "openpi.models.gemma": "get_config",
                }


                def _pruned(original):
                    def config(*args, **kwargs):
                        c = original(*args, **kwargs)
                        if dataclasses.is_dataclass(c) and not isinstance(c, type):
                            return dataclasses.replace(c, depth=DEPTH)
                        c.depth = DEPTH
                        return c
                    return config


                class _PrunedDepth(importlib.abc.MetaPathFinder):
                    def find_spec(self, name, path, target=None):
                        if name not in PATCHED:
                            return None
                        # whichever finder would have found it (a plain install, or an editable one's finder)
                        spec = None
                        for finder in sys.meta_path:
                            if finder is not self and hasattr(finder, "find_spec"):
                                spec = finder.find_spec(name, path, target)
                                if spec is not None:
                                    break
                        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
                            return None
                        run = spec.loader.exec_module

                        def exec_module(module):
                            run(module)
                            setattr(module, PATCHED[name], _pruned(getattr(module, PATCHED[name])))
                        spec.loader.exec_module = exec_module
                        return spec


                sys.meta_path.insert(0, _PrunedDepth())

                _here = os.path.dirname(os.path.abspath(__file__))
                _next = importlib.machinery.PathFinder.find_spec(
                    "sitecustomize", [p for p in sys.path if os.path.abspath(p or ".") != _here])
                if _next is not None and _next.loader is not None:
                    _next.loader.exec_module(importlib.util.module_from_spec(_next))
                """.formatted(depth);
    }
}
