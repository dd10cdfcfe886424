"""eiscope.notebook in a real notebook: nbclient runs a notebook on a real IPython kernel (this
venv's python, matplotlib on Agg, no page), as Jupyter would, and the test reads what came back:
the widgets' display outputs, the widget state the kernel sent (ipympl's canvas carries the
rendered figure as a PNG while no page is attached), and what the kernel printed of the drawn
data, checked against the run record and GetParameters read here."""

import base64
import io
import json

import matplotlib.image
import nbformat
import numpy as np
from nbclient import NotebookClient

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"

CELLS = [
    """\
import json, os
import eiscope
from eiscope.notebook import live_curves, weight_heatmap
client = eiscope.Client(os.environ["EISCOPE_ADDRESS"])
sim = client.create(model={"kind": "mlp", "hidden": [32]}, learning_rule="sgd",
                    task="fashion_mnist", seed=5)
curves = live_curves(client, sim.id, "loss", smoothing=0.5)
curves""",
    """\
heatmap = weight_heatmap(client, sim.id, "layer0.W", max_rows=8, max_cols=16)
heatmap""",
    """\
client.step(sim.id, 30)
client.wait_for_step(sim.id, 30)
curves.wait_for_step(30, timeout=60)
heatmap.wait_for_step(30, timeout=60)
line = curves.line(sim.id)
print(json.dumps({"sim": sim.id, "steps": [int(s) for s in line.get_xdata()],
                  "values": [float(v) for v in line.get_ydata()],
                  "heatmap_step": heatmap.step, "heatmap": heatmap.values.tolist()}))""",
    """\
curves.close()
heatmap.close()
print(curves.stopped, heatmap.stopped)""",
]


def test_a_notebook_shows_live_curves_and_a_heatmap_that_follow_the_run(
    client, server, monkeypatch, tmp_path
):
    monkeypatch.setenv("EISCOPE_ADDRESS", f"127.0.0.1:{server.port}")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    NotebookClient(
        notebook, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()

    shown = [o for cell in notebook.cells[:2] for o in cell.outputs if WIDGET_VIEW in o.get("data", {})]
    assert len(shown) == 2, "each widget is displayed as a widget view"
    data = json.loads("".join(o.text for o in notebook.cells[2].outputs if o.output_type == "stream"))
    assert "".join(o.text for o in notebook.cells[3].outputs).split() == ["True", "True"]

    sim_id = data["sim"]
    try:
        record = client.history(sim_id, observables=["loss"])
        assert data["steps"] == record["step"].tolist() == list(range(1, 31))
        assert data["values"] == record["value"].tolist()
        step = data["heatmap_step"]
        assert step == 30
        pooled = client.parameters(sim_id, ["layer0.W"], step=step, max_rows=8, max_cols=16)["layer0.W"]
        np.testing.assert_array_equal(np.asarray(data["heatmap"], dtype=np.float32), pooled)

        # The kernel rendered both figures: their canvases' last images, as the page would get
        # them: the curves at 7.5 x 3.6 in, the heatmap at 6.4 x 4.8 in, 100 dpi.
        models = notebook.metadata["widgets"][WIDGET_STATE]["state"]
        images = {}
        for model in models.values():
            if model["model_name"] == "MPLCanvasModel":
                png = base64.b64decode(model["state"]["_data_url"].split(",")[-1])
                image = matplotlib.image.imread(io.BytesIO(png), format="png")[..., :3]
                images[image.shape[:2]] = image
        assert set(images) == {(360, 750), (480, 640)}
        curve, heat = images[(360, 750)], images[(480, 640)]
        line_blue = np.array([0x1F, 0x77, 0xB4]) / 255  # matplotlib's C0, the first run's colour
        assert (np.abs(curve - line_blue).max(axis=-1) < 0.1).sum() > 100, "the loss line is drawn"
        red = (heat[..., 0] > 0.6) & (heat[..., 2] < 0.4)
        blue = (heat[..., 2] > 0.6) & (heat[..., 0] < 0.4)
        assert red.sum() > 1000 and blue.sum() > 1000, "positive weights red, negative ones blue"
    finally:
        client.delete(sim_id)
