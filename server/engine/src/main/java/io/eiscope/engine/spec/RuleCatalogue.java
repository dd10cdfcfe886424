package io.eiscope.engine.spec;

import io.eiscope.engine.learning.Sgd;
import io.eiscope.engine.spec.Catalogue.Entry;
import io.eiscope.engine.spec.Catalogue.RuleFactory;
import java.util.List;

/** The learning rules of the catalogue. */
final class RuleCatalogue {
    private RuleCatalogue() {}

    static List<Entry<RuleFactory>> entries() {
        var sgd = new Entry<RuleFactory>(new ComponentDescriptor("sgd", "Stochastic gradient descent",
                "Minibatch SGD with optional (Nesterov) momentum and L2 weight decay, PyTorch's update order.", "",
                List.of(
                        ParamDescriptor.number("learning_rate", 0.05, 1e-9, 1e4, "Step size; > 0."),
                        ParamDescriptor.number("momentum", 0.0, 0.0, 0.999, "Momentum coefficient in [0, 1)."),
                        ParamDescriptor.flag("nesterov", false, "Nesterov momentum (needs momentum > 0)."),
                        ParamDescriptor.number("weight_decay", 0.0, 0.0, 1.0, "L2 penalty added to the gradient."))),
                p -> new Sgd(new Sgd.Hyper(p.number("learning_rate"), p.number("momentum"), p.flag("nesterov"), p.number("weight_decay"))));
        return List.of(sgd);
    }
}
