"""The catalogue describes the components the other tests use."""


def test_catalogue_lists_mlp_sgd_and_fashion_mnist_with_their_parameters(client):
    catalogue = client.catalogue()
    mlp = catalogue.models["mlp"]
    assert mlp.params["hidden"].type == "INT_LIST"
    assert mlp.params["hidden"].doc
    sgd = catalogue.learning_rules["sgd"]
    learning_rate = sgd.params["learning_rate"]
    assert learning_rate.type == "NUMBER"
    assert isinstance(learning_rate.default, float) and learning_rate.default > 0
    assert "fashion_mnist" in catalogue.tasks
    for component in [mlp, sgd, catalogue.tasks["fashion_mnist"]]:
        for param in component.params.values():
            assert param.type != "UNSPECIFIED", f"{component.kind}.{param.name} has no type"


def test_catalogue_lists_loss_as_a_cheap_scalar_observable(client):
    loss = client.catalogue().observables["loss"]
    assert (loss.kind, loss.cost, loss.per_layer) == ("SCALAR", "CHEAP", False)
