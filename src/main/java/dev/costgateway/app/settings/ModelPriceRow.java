package dev.costgateway.app.settings;

import javafx.beans.Observable;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

/** One editable row of the models and prices table; prices are text as typed (USD per million tokens). */
public final class ModelPriceRow {
    private final StringProperty model = new SimpleStringProperty();
    private final StringProperty input = new SimpleStringProperty();
    private final StringProperty output = new SimpleStringProperty();

    public ModelPriceRow(String model, String input, String output) {
        this.model.set(model);
        this.input.set(input);
        this.output.set(output);
    }

    public StringProperty modelProperty() {
        return model;
    }

    public StringProperty inputProperty() {
        return input;
    }

    public StringProperty outputProperty() {
        return output;
    }

    Observable[] observables() {
        return new Observable[] {model, input, output};
    }

    String signature() {
        return model.get() + "\u0000" + input.get() + "\u0000" + output.get();
    }
}
