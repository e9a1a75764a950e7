"""pi0 PRUNED parity fixture: proves, with the ORIGINAL LeRobot pi0 code, that a Plateau-pruned pi0 export loads and
runs unedited thanks to the start-up hook Plateau writes into it (<export>/plateau_hook/sitecustomize.py). The pi0 twin
of make_pi05_pruned_fixture.py, step for step.

Rerun (no network; reads the export, writes src/test/resources/parity/pi0-pruned/):
    . /tmp/realref/env-pi.sh && \
      PYTHONPATH=/tmp/pi0hook/export/plateau_hook:$PYTHONPATH "$PY" parity/make_pi0_pruned_fixture.py \
      /tmp/pi0hook/export [OUTPUT_DIR]
where /tmp/pi0hook/export is Plateau's pruning of src/test/resources/parity/pi0/ (layer 1 removed from both the VLM
and the expert; 3 + 3 layers renumbered 0..2; config.json unchanged; plateau-pruning.json; plateau_hook/). Other files
in the export (copies of the base fixture's inputs/states/extras) are not read.

Same environment, stubs and size patches as make_pi0_fixture.py (imported from it: that module has no import-time side
effects beyond defining constants), with ONE difference: the size patch of modeling_pi0.get_gemma_config COMPOSES with
whatever function it replaces. It calls the module's current get_gemma_config(variant) -- upstream's (depth 18), or the
hook's wrapper of it (depth = the pruned depth) -- and keeps that depth, replacing only the widths by the tiny ones. So
the depth the model is built with comes from LeRobot's code path plus the hook, never from this script.

Steps:
  1. check the hook is active: sys.modules["sitecustomize"] is <export>/plateau_hook/sitecustomize.py, and
     modeling_pi0.get_gemma_config (before the size patch) is the hook's wrapper returning depth ==
     plateau-pruning.json.
  2. PI0Config from the export's config.json (decoded as LeRobot's draccus config would: "type" selects pi0, features
     -> PolicyFeature, normalization modes -> NormalizationMode, lists -> tuples; any unknown key is an error), then
       (A) PI0Policy(config) + safetensors.torch.load_model(policy, model.safetensors, strict=True) -- LeRobot's
           PreTrainedPolicy._load_as_safetensor path and the base fixture's strict reload;
       (B) PI0Policy.from_pretrained(export, config=config, strict=True) -- pi0's own override, unedited.
     Both print missing / unexpected keys. The built model must have depth == plateau-pruning.json depths (3 + 3).
  3. LeRobot's training forward on the base fixture's inputs (src/test/resources/parity/pi0/inputs.*, incl. state.<s>),
     each sample as a batch of 1, recording vision.*, vlm.-1, vlm.0..2, expert.-1, expert.0..2 (rows of sample 0 then
     sample 1), saved as hidden_states.safetensors (+ README.txt).
  4. self-check against the base fixture: everything before the removed layer (vision.*, vlm/expert -1, 0) must
     equal the base states bit for bit (or to 1e-6 relative).
  5. negative (a child process of this script, the hook folder removed from PYTHONPATH): what LeRobot does with the
     export when the hook is absent -- upstream get_gemma_config says 18, and with the base fixture's tiny depth 4
     strict loading fails with the missing layer-3 keys. Printed only.
"""
import dataclasses
import importlib
import json
import os
import subprocess
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = os.path.join(HERE, "..", "src", "test", "resources", "parity", "pi0")
sys.path.insert(0, HERE)
import make_pi0_fixture as fx  # noqa: E402  (definitions only; its main() is not run)


def patch_sizes(m, depth=None):
    """fx.patch_upstream, except that get_gemma_config keeps the depth of the function it replaces (or `depth`)."""
    current = m.get_gemma_config  # upstream's, or the plateau hook's wrapper of it

    def tiny_gemma_config(variant):
        sizes = {"gemma_2b": fx.VLM, "gemma_300m": fx.EXPERT}[variant]
        return m.GemmaConfig(**dict(sizes, depth=current(variant).depth if depth is None else depth))

    m.get_gemma_config = tiny_gemma_config
    fx.patch_upstream(m)  # PATCH 2 (PaliGemmaWithExpertModel sizes) and the transformers version check ...
    m.get_gemma_config = tiny_gemma_config  # ... but keep the composing PATCH 1, not fx's hard-coded depth 4
    return current


def config_from_json(path, PI0Config, FeatureType, NormalizationMode, PolicyFeature):
    with open(path) as f:
        raw = json.load(f)
    assert raw.pop("type") == "pi0", "not a pi0 config"
    names = {f.name: f for f in dataclasses.fields(PI0Config)}
    unknown = sorted(set(raw) - set(names))
    if unknown:
        raise ValueError("config.json keys PI0Config does not have: %s" % unknown)
    kw = {}
    for k, v in raw.items():
        if k in ("input_features", "output_features"):
            v = {n: PolicyFeature(type=FeatureType(f["type"]), shape=tuple(f["shape"])) for n, f in v.items()}
        elif k == "normalization_mapping":
            v = {n: NormalizationMode(x) for n, x in v.items()}
        elif isinstance(v, list):
            v = tuple(v)
        kw[k] = v
    return PI0Config(**kw)


def eager(policy):
    pg = policy.model.paligemma_with_expert.paligemma
    pg.config.vision_config._attn_implementation = "eager"
    pg.config.text_config._attn_implementation = "eager"
    policy.model.paligemma_with_expert.gemma_expert.config._attn_implementation = "eager"
    return policy


def depths(policy):
    pwe = policy.model.paligemma_with_expert
    return len(pwe.paligemma.model.language_model.layers), len(pwe.gemma_expert.model.layers)


def setup(export):
    FeatureType, NormalizationMode, PolicyFeature = fx.install_lerobot_stubs()
    from lerobot.policies.pi0 import modeling_pi0 as m
    from lerobot.policies.pi0.configuration_pi0 import PI0Config
    return m, PI0Config, FeatureType, NormalizationMode, PolicyFeature


def load_from_pretrained(m, export, config):
    """pi0's own PI0Policy.from_pretrained (unedited), printing what it prints."""
    print("  (B) PI0Policy.from_pretrained(%r, config=<from config.json>, strict=True) says:" % export)
    import contextlib
    import io
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        policy = m.PI0Policy.from_pretrained(export, config=config, strict=True)
    for line in buf.getvalue().splitlines():
        print("      | " + line[:400] + (" ..." if len(line) > 400 else ""))
    return eager(policy.float().eval())


def keys_of(m, policy, export):
    """The keys from_pretrained hands to load_state_dict (after its _fix_pytorch_state_dict_keys), strict=False."""
    from safetensors.torch import load_file
    sd = policy._fix_pytorch_state_dict_keys(load_file(os.path.join(export, "model.safetensors")), policy.config)
    sd = {k if k.startswith("model.") else "model." + k: v for k, v in sd.items()}
    return policy.load_state_dict(sd, strict=False)


def read_inputs():
    from safetensors.torch import load_file
    with open(os.path.join(BASE, "inputs.json")) as f:
        meta = json.load(f)
    arrays = load_file(os.path.join(BASE, "inputs.safetensors"))
    n = len(meta["tokens"])
    return ([torch.tensor(t, dtype=torch.long) for t in meta["tokens"]], [arrays["images.%d" % s] for s in range(n)],
            [arrays["state.%d" % s] for s in range(n)], [arrays["noise.%d" % s] for s in range(n)],
            [arrays["actions.%d" % s] for s in range(n)], meta["time"])


def negative(export):
    print("NEGATIVE (hook absent; PYTHONPATH=%s)" % os.environ.get("PYTHONPATH"))
    sc = sys.modules.get("sitecustomize")
    print("  sitecustomize: %s" % getattr(sc, "__file__", None))
    assert sc is None or os.path.dirname(os.path.abspath(sc.__file__)) != os.path.join(export, "plateau_hook")
    m, PI0Config, FeatureType, NormalizationMode, PolicyFeature = setup(export)
    print("  upstream get_gemma_config: gemma_2b depth %d, gemma_300m depth %d (modeling_pi0.py:306-327)" % (
        m.get_gemma_config("gemma_2b").depth, m.get_gemma_config("gemma_300m").depth))
    from safetensors.torch import load_model
    file = os.path.join(export, "model.safetensors")
    for label, depth in (("composing size patch (depth from upstream = 18)", None),
                         ("base fixture's tiny depth 4", 4)):
        importlib.reload(m)  # fresh upstream module, then patch again
        patch_sizes(m, depth)
        config = config_from_json(os.path.join(export, "config.json"), PI0Config, FeatureType, NormalizationMode,
                                  PolicyFeature)
        torch.manual_seed(0)
        policy = eager(m.PI0Policy(config).float().eval())
        print("  %s: built VLM %d / expert %d layers" % ((label,) + depths(policy)))
        missing, unexpected = load_model(policy, file, strict=False)
        missing = sorted(missing)
        print("    load_model(strict=False): %d missing, %d unexpected" % (len(missing), len(unexpected)))
        for k in missing[:6]:
            print("      missing    %s" % k)
        if len(missing) > 6:
            print("      ... and %d more (layers %s)" % (len(missing) - 6, sorted({int(k.split("layers.")[1].split(
                ".")[0]) for k in missing if "layers." in k})))
        try:
            load_model(policy, file, strict=True)
            print("    load_model(strict=True): loaded?!")
        except RuntimeError as e:
            text = str(e).replace("\n", " ")
            print("    load_model(strict=True) raises RuntimeError: %s%s" % (text[:300], " ..." if len(text) > 300
                                                                             else ""))
        if depth == 4:
            fp = load_from_pretrained(m, export, config)
            r = keys_of(m, fp, export)
            print("      -> from_pretrained returned a policy anyway (VLM %d / expert %d layers); its keys: %d missing"
                  " (%d of them layer 3), %d unexpected" % (depths(fp) + (len(r.missing_keys), sum(
                      ".layers.3." in k for k in r.missing_keys), len(r.unexpected_keys))))


def main():
    export = os.path.abspath(sys.argv[1])
    if "--negative" in sys.argv[2:]:
        negative(export)
        return
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "..", "src", "test", "resources", "parity",
                                                             "pi0-pruned")
    hook_dir = os.path.join(export, "plateau_hook")
    with open(os.path.join(export, "plateau-pruning.json")) as f:
        pruning = json.load(f)
    want = (pruning["depths"]["vlm"], pruning["depths"]["expert"])
    print("plateau-pruning.json: depths vlm %d / expert %d, layer_map %s" % (want + (pruning["layer_map"],)))

    # ---- 1. the hook is active ----
    sc = sys.modules.get("sitecustomize")
    print("sitecustomize: %s" % getattr(sc, "__file__", None))
    assert sc is not None and os.path.abspath(sc.__file__) == os.path.join(hook_dir, "sitecustomize.py"), \
        "the plateau hook is not the sitecustomize Python ran: put %s FIRST on PYTHONPATH" % hook_dir
    assert hasattr(torch, "compiler"), "realref's own sitecustomize (torch shims), chained by the hook, did not run"
    m, PI0Config, FeatureType, NormalizationMode, PolicyFeature = setup(export)
    hooked = patch_sizes(m)
    print("modeling_pi0.get_gemma_config before the size patch: %s.%s -> gemma_2b depth %d, gemma_300m depth %d" % (
        hooked.__module__, hooked.__qualname__, hooked("gemma_2b").depth, hooked("gemma_300m").depth))
    assert hooked.__module__ == "sitecustomize", "get_gemma_config is not wrapped by the hook"
    from safetensors.torch import load_file, load_model, save_file
    fx.install_recorder(m)

    # ---- 2. build from config.json, load strictly ----
    print("\nLOAD (hook active):")
    config = config_from_json(os.path.join(export, "config.json"), PI0Config, FeatureType, NormalizationMode,
                              PolicyFeature)
    torch.manual_seed(0)
    policy = eager(m.PI0Policy(config).float().eval())
    print("  built: VLM %d layers, expert %d layers (text_config.num_hidden_layers %d, expert num_hidden_layers %d)" % (
        depths(policy) + (policy.model.paligemma_with_expert.paligemma.config.text_config.num_hidden_layers,
                          policy.model.paligemma_with_expert.gemma_expert.config.num_hidden_layers)))
    assert depths(policy) == want
    missing, unexpected = load_model(policy, os.path.join(export, "model.safetensors"), strict=True)
    print("  (A) safetensors.torch.load_model(policy, model.safetensors, strict=True): missing %s, unexpected %s" % (
        sorted(missing), sorted(unexpected)))
    assert not missing and not unexpected
    fp = load_from_pretrained(m, export, config_from_json(os.path.join(export, "config.json"), PI0Config,
                                                          FeatureType, NormalizationMode, PolicyFeature))
    r = keys_of(m, fp, export)
    print("      its load_state_dict keys (strict=False): missing %s, unexpected %s" % (r.missing_keys,
                                                                                      r.unexpected_keys))
    pg = fp.model.paligemma_with_expert.paligemma
    print("      embed_tokens is lm_head (tied): %s; VLM %d / expert %d layers; every parameter equal to (A)'s: %s" % (
        (pg.lm_head.weight is pg.model.language_model.embed_tokens.weight,) + depths(fp) + (all(
            torch.equal(a, b) for a, b in zip(policy.state_dict().values(), fp.state_dict().values())),)))

    # ---- 3. training forward, recording ----
    n_vision = fx.hook_vision(policy)
    depth = want[0]
    tokens, images, state_in, noise, actions, times = read_inputs()
    runs = [fx.run_one(policy, images[s], tokens[s], state_in[s], noise[s], actions[s], times[s])
            for s in range(len(tokens))]
    states = {}
    for name in fx.layer_states(runs[0], n_vision, depth):
        states[name] = torch.cat([fx.layer_states(r, n_vision, depth)[name] for r in runs]).contiguous().float()
    fx.hook_vision(fp)
    again = [fx.run_one(fp, images[s], tokens[s], state_in[s], noise[s], actions[s], times[s])
             for s in range(len(tokens))]
    same = all(torch.equal(torch.cat([fx.layer_states(x, n_vision, depth)[k] for x in again]), states[k])
               for k in states)
    print("  from_pretrained's policy gives the same states: %s" % same)

    # ---- 4. self-check against the base fixture ----
    base = load_file(os.path.join(BASE, "hidden_states.safetensors"))
    print("\nSELF-CHECK vs base fixture %s (layers before the removed one must be unchanged):" % os.path.abspath(BASE))
    ok = True
    for k in states:
        if k not in base:
            continue
        a, b = states[k], base[k]
        if a.shape != b.shape:
            print("  %-10s shape %s vs base %s" % (k, list(a.shape), list(b.shape)))
            continue
        diff = (a - b).abs().max().item()
        r_ = fx.rel(a, b)
        layer = int(k.split(".")[1])
        must = k.startswith("vision.") or layer <= 0
        print("  %-10s %-10s bit-identical %-5s max abs diff %.3g  rel %.3g%s" % (
            k, list(a.shape), torch.equal(a, b), diff, r_, "" if must else "   (pruned layer %d = base layer %d "
                                                                           "downstream of the removed layer 1; not "
                                                                           "compared)" % (layer, layer + 1)))
        if must:
            ok = ok and r_ <= 1e-6
    for side in ("vlm", "expert"):
        for p in (1, 2):
            print("  %s.%d (pruned) vs base %s.%d: rel %.4g; vs base %s.%d: rel %.4g" % (
                side, p, side, p + 1, fx.rel(states["%s.%d" % (side, p)], base["%s.%d" % (side, p + 1)]), side, p,
                fx.rel(states["%s.%d" % (side, p)], base["%s.%d" % (side, p)])))
    print("  loss mean per sample: %s" % ["%.6g" % r["loss"].mean().item() for r in runs])
    assert ok, "layers before the removed one differ from the base fixture"

    os.makedirs(out, exist_ok=True)
    save_file(states, os.path.join(out, "hidden_states.safetensors"), metadata={"format": "pt"})
    with open(os.path.join(out, "README.txt"), "w") as f:
        f.write(README)
    print("\nwritten to %s:" % os.path.abspath(out))
    for name in sorted(os.listdir(out)):
        print("  %-28s %d bytes" % (name, os.path.getsize(os.path.join(out, name))))
    for k, v in states.items():
        print("    %-10s %s %s" % (k, list(v.shape), str(v.dtype)))

    # ---- 5. negative, in a fresh interpreter without the hook ----
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in env.get("PYTHONPATH", "").split(os.pathsep)
                                        if p and os.path.abspath(p) != hook_dir)
    print()
    sys.stdout.flush()
    subprocess.run([sys.executable, os.path.abspath(__file__), export, "--negative"], env=env, check=True)


README = """pi0-pruned: layer states of the Plateau-pruned tiny pi0, computed by the ORIGINAL LeRobot pi0 code.

What: the tiny pi0 fixture of ../pi0/ (4 VLM + 4 expert layers) pruned by Plateau (layer 1 removed from both the VLM
and the action expert; the kept layers 0, 2, 3 renumbered 0, 1, 2; plan.json), exported unedited-loadable:
model.safetensors, config.json (unchanged), plateau-pruning.json and plateau_hook/sitecustomize.py, the start-up hook
that makes LeRobot's get_gemma_config (which hard-codes the depth) return the pruned depth 3.

hidden_states.safetensors (float32; rows of sample 0 then sample 1; the inputs are ../pi0/inputs.json and
../pi0/inputs.safetensors, incl. state.<s>): vision.-1, vision.0, vision.1 [32, 144]; vlm.-1, vlm.0, vlm.1, vlm.2
[76, 64]; expert.-1, expert.0, expert.1, expert.2 [102, 32] (per sample the state token, then the 50 action-time
tokens). Same names and meaning as ../pi0/hidden_states.safetensors (states after each joint layer, before the final
norm), with 3 joint layers instead of 4.

How: parity/make_pi0_pruned_fixture.py, run as
    . /tmp/realref/env-pi.sh && PYTHONPATH=<export>/plateau_hook:$PYTHONPATH "$PY" parity/make_pi0_pruned_fixture.py <export>
It reuses make_pi0_fixture.py's stubs and size patches, except that the tiny get_gemma_config takes its depth from
the function it replaces (i.e. from the hook), builds PI0Policy(PI0Config) from the export's config.json, loads
model.safetensors with safetensors.torch.load_model(strict=True) (missing/unexpected both empty; checked again with
PI0Policy.from_pretrained), runs LeRobot's training forward per sample, and checks that vision.*, vlm/expert -1, 0
equal ../pi0/hidden_states.safetensors (the layers before the removed one are unchanged). It also shows, in a child
process without the hook, that strict loading of the same export fails (missing layers.3.* at the base tiny depth 4).
"""


if __name__ == "__main__":
    main()
