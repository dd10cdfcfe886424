package io.eiscope.engine.spec;

/** Types of component parameters; values are Double, Long, Boolean, String and List&lt;Long&gt;. */
public enum ParamType {
    NUMBER,
    INTEGER,
    FLAG,
    CHOICE,
    INT_LIST
}
