package dev.costgateway.app.settings;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import dev.costgateway.app.fx.UiTasks;
import dev.costgateway.app.settings.SettingField.Kind;
import dev.costgateway.core.GatewayControl;
import dev.costgateway.core.GatewayControl.ConfigState;
import dev.costgateway.core.observe.Observable;
import dev.costgateway.core.config.ConfigException;
import dev.costgateway.core.config.ConfigLoader;
import dev.costgateway.core.config.ConfigProblem;
import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.core.config.ConfigKey;
import dev.costgateway.core.config.ConfigSchema;
import dev.costgateway.core.config.ConfigValues;
import dev.costgateway.core.config.ValueType;
import dev.costgateway.core.config.YamlConfigEditor;

/**
 * The settings form over every key of the core's {@link ConfigSchema}: the fields, their sections, labels, help and
 * checks come from it, so the rules (and their wording) are the core's. A keystroke checks only its own field
 * (cheap, on the FX thread); the rules across keys ({@link GatewayControl#validate}) run on the background
 * executor and show before Save, which waits for them. Save edits the file text in place with
 * {@link YamlConfigEditor} (comments, order and unknown keys survive) and hands it to
 * {@link GatewayControl#saveAndReload}. Outside edits arrive through {@link GatewayControl#configState()}.
 */
public final class SettingsViewModel {

    private final GatewayControl control;
    private final UiTasks tasks;
    private final List<SettingGroup> groups;
    private final Map<String, SettingField> byKey = new LinkedHashMap<>();
    private final Map<String, ConfigKey<?>> keys = new LinkedHashMap<>();
    private ConfigValues formValues = ConfigValues.defaults();
    private final Map<String, String> fieldProblems = new LinkedHashMap<>();
    private List<String> modelProblems = List.of();
    private List<ConfigProblem> crossProblems = List.of();
    private long checkGeneration;
    private final ObservableList<ModelPriceRow> models =
            FXCollections.observableArrayList(ModelPriceRow::observables);
    private List<String> originalModels = List.of();
    private final ObservableList<BudgetRow> budgets = FXCollections.observableArrayList(BudgetRow::observables);
    private List<String> originalBudgets = List.of();
    private List<String> budgetProblems = List.of();
    private final ReadOnlyStringWrapper budgetsError = new ReadOnlyStringWrapper("");
    private Observable.Subscription subscription;
    private ConfigState current;
    private ConfigState pendingOutside;
    private String baseText = "";
    private String savingText;
    private boolean loading;

    private final ReadOnlyBooleanWrapper valid = new ReadOnlyBooleanWrapper(true);
    private final ReadOnlyBooleanWrapper dirty = new ReadOnlyBooleanWrapper();
    private final ReadOnlyBooleanWrapper saving = new ReadOnlyBooleanWrapper();
    private final ReadOnlyBooleanWrapper checking = new ReadOnlyBooleanWrapper();
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper messageIsError = new ReadOnlyBooleanWrapper();
    private final ReadOnlyStringWrapper rejectedBanner = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper outsideChangeBanner = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper generalError = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper modelsError = new ReadOnlyStringWrapper("");
    private final BooleanBinding canSave;
    private final RoutingKnobViewModel routingKnob;

    public SettingsViewModel(GatewayControl control, UiTasks tasks) {
        this.control = control;
        this.tasks = tasks;
        Map<ConfigSchema.Section, List<SettingField>> sections = new EnumMap<>(ConfigSchema.Section.class);
        for (ConfigKey<?> key : ConfigSchema.keys()) {
            if (key.type().kind() == ValueType.Kind.PRICES || key.type().kind() == ValueType.Kind.BUDGETS) {
                continue; // edited as the prices table and the budgets table
            }
            Kind kind = Kind.valueOf(key.type().kind().name());
            SettingField field = new SettingField(key.path(), key.label(), key.plainHelp(), kind,
                    kind == Kind.CHOICE ? key.type().choices() : List.of());
            byKey.put(key.path(), field);
            keys.put(key.path(), key);
            sections.computeIfAbsent(key.section(), s -> new ArrayList<>()).add(field);
        }
        this.groups = sections.entrySet().stream()
                .map(e -> new SettingGroup(e.getKey().title(), e.getValue())).toList();
        for (SettingField field : byKey.values()) {
            field.textProperty().addListener(o -> onFieldEdited(field));
            field.flagProperty().addListener(o -> onFieldEdited(field));
            field.items().addListener((javafx.beans.Observable o) -> onFieldEdited(field));
        }
        models.addListener((javafx.beans.Observable o) -> onModelsEdited());
        budgets.addListener((javafx.beans.Observable o) -> onBudgetsEdited());
        canSave = valid.and(dirty).and(saving.not()).and(checking.not());
        routingKnob = new RoutingKnobViewModel(control, tasks, this);
    }

    // ---- lifecycle ----

    /** Follows the configuration in force (reloads and outside edits). */
    public void activate() {
        if (subscription == null) {
            subscription = control.configState().subscribe(s -> tasks.onUi(() -> onConfigState(s)));
            routingKnob.load();
        }
    }

    public void deactivate() {
        if (subscription != null) {
            subscription.close();
            subscription = null;
        }
    }

    private void onConfigState(ConfigState state) {
        rejectedBanner.set(state.rejected().isEmpty() ? ""
                : "config.yaml was edited outside the app but has errors, so it was not applied: "
                        + state.rejected().stream().map(p -> (p.line() > 0 ? "line " + p.line() + ": " : "")
                                + p.key() + " " + p.message()).collect(Collectors.joining("; ")));
        if (state.yamlText().equals(baseText) && current != null) {
            current = state;
            return;
        }
        boolean ours = state.yamlText().equals(savingText);
        if (current == null || ours || !dirty.get()) {
            boolean outside = current != null && !ours;
            load(state);
            if (outside) {
                info("Loaded the changes made to config.yaml outside the app.");
            }
        } else {
            pendingOutside = state;
            outsideChangeBanner.set("config.yaml changed outside the app. Your unsaved edits are kept; "
                    + "Discard them to load the file.");
        }
    }

    private void load(ConfigState state) {
        loading = true;
        try {
            current = state;
            pendingOutside = null;
            baseText = state.yamlText();
            outsideChangeBanner.set("");
            formValues = valuesOf(state);
            for (ConfigKey<?> key : keys.values()) {
                byKey.get(key.path()).load(formValue(key, formValues));
            }
            fieldProblems.clear();
            models.setAll(formValues.get(ConfigSchema.MODELS_PRICES).entrySet().stream()
                    .sorted(Map.Entry.comparingByKey())
                    .map(e -> new ModelPriceRow(e.getKey(), ValueType.writePrice(e.getValue().inputPerMTok()),
                            ValueType.writePrice(e.getValue().outputPerMTok())))
                    .toList());
            originalModels = models.stream().map(ModelPriceRow::signature).toList();
            modelProblems = List.of();
            budgets.setAll(formValues.get(ConfigSchema.BUDGETS_LIST).stream().map(BudgetRow::of).toList());
            originalBudgets = budgets.stream().map(BudgetRow::signature).toList();
            budgetProblems = List.of();
        } finally {
            loading = false;
        }
        refresh();
    }

    /** The values of the file in force, key by key (its text is valid: it is the text of a configuration). */
    private static ConfigValues valuesOf(ConfigState state) {
        try {
            return ConfigLoader.parse(state.yamlText(), "config.yaml").values();
        } catch (ConfigException e) {
            throw new IllegalStateException("the configuration in force does not parse: " + e.getMessage(), e);
        }
    }

    private static <T> Object formValue(ConfigKey<T> key, ConfigValues values) {
        T v = values.get(key);
        return switch (key.type().kind()) {
            case BOOLEAN, LIST -> v;
            default -> key.type().write(v);
        };
    }

    // ---- validation ----

    private boolean modelsDirty() {
        return !models.stream().map(ModelPriceRow::signature).toList().equals(originalModels);
    }

    private boolean budgetsDirty() {
        return !budgets.stream().map(BudgetRow::signature).toList().equals(originalBudgets);
    }

    /** The text Save would write: the current file with the changed values edited in. */
    public String candidateText() {
        YamlConfigEditor editor = YamlConfigEditor.of(baseText);
        for (SettingField field : byKey.values()) {
            if (field.dirtyProperty().get()) {
                editor.set(field.key(), field.value());
            }
        }
        if (modelsDirty()) {
            Map<String, Object> prices = new LinkedHashMap<>();
            for (ModelPriceRow row : models) {
                Map<String, Object> price = new LinkedHashMap<>();
                price.put("input", number(row.inputProperty().get()));
                price.put("output", number(row.outputProperty().get()));
                prices.put(row.modelProperty().get().trim(), price);
            }
            editor.set(List.of("models"), prices);
        }
        if (budgetsDirty()) {
            List<Object> list = new ArrayList<>();
            for (BudgetRow row : budgets) {
                Map<String, Object> b = new LinkedHashMap<>();
                row.fields().forEach((k, v) -> b.put(k, k.equals("limit_usd") || k.equals("warn_at_percent")
                        ? number(v) : v));
                list.add(b);
            }
            editor.set(List.of("budgets"), list);
        }
        return editor.text();
    }

    private static Object number(String text) {
        String t = text == null ? "" : text.trim();
        try {
            return new BigDecimal(t);
        } catch (NumberFormatException e) {
            return t;
        }
    }

    /** One field changed: only its own value is checked here; the rules across keys run off the FX thread. */
    private void onFieldEdited(SettingField field) {
        if (loading) {
            return;
        }
        ConfigKey<?> key = keys.get(field.key());
        ValueType.Parsed<?> parsed = parse(key, field.value());
        if (parsed.isOk()) {
            fieldProblems.remove(key.path());
            formValues = with(formValues, key, parsed.value());
        } else {
            fieldProblems.put(key.path(), parsed.problem());
        }
        refresh();
    }

    @SuppressWarnings("unchecked")
    private static ValueType.Parsed<?> parse(ConfigKey<?> key, Object formValue) {
        return switch (key.type().kind()) {
            case BOOLEAN -> new ValueType.Parsed<>(formValue, null);
            case LIST -> key.type().parseList((List<String>) formValue);
            default -> key.type().parse((String) formValue);
        };
    }

    @SuppressWarnings("unchecked")
    private static <T> ConfigValues with(ConfigValues values, ConfigKey<T> key, Object value) {
        return values.with(key, (T) value);
    }

    private void onModelsEdited() {
        if (loading) {
            return;
        }
        List<String> problems = new ArrayList<>();
        Map<String, GatewayConfig.ModelPrice> prices = new LinkedHashMap<>();
        String idProblem = checkModelIds();
        if (idProblem != null) {
            problems.add(idProblem);
        } else {
            for (ModelPriceRow row : models) {
                String id = row.modelProperty().get().trim();
                ValueType.Parsed<Double> in = ValueType.parsePrice(trimmed(row.inputProperty().get()));
                ValueType.Parsed<Double> out = ValueType.parsePrice(trimmed(row.outputProperty().get()));
                if (!in.isOk()) {
                    problems.add(id + ".input: " + in.problem());
                }
                if (!out.isOk()) {
                    problems.add(id + ".output: " + out.problem());
                }
                if (in.isOk() && out.isOk()) {
                    prices.put(id, new GatewayConfig.ModelPrice(in.value(), out.value()));
                }
            }
        }
        modelProblems = List.copyOf(problems);
        if (problems.isEmpty()) {
            formValues = formValues.with(ConfigSchema.MODELS_PRICES, prices);
        }
        refresh();
    }

    private void onBudgetsEdited() {
        if (loading) {
            return;
        }
        List<String> problems = new ArrayList<>();
        List<dev.costgateway.core.budget.Budget> parsed = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (BudgetRow row : budgets) {
            ValueType.BudgetParse p = ValueType.parseBudget(row.fields());
            String label = row.fields().get("name").isEmpty() ? "a budget" : row.fields().get("name");
            if (p.budget() == null) {
                problems.add(label + ": " + p.field() + " " + p.problem());
            } else if (!names.add(p.budget().name())) {
                problems.add(label + ": another budget has this name");
            } else {
                parsed.add(p.budget());
            }
        }
        budgetProblems = List.copyOf(problems);
        if (problems.isEmpty()) {
            formValues = formValues.with(ConfigSchema.BUDGETS_LIST, List.copyOf(parsed));
        }
        refresh();
    }

    public void addBudget() {
        budgets.add(new BudgetRow("daily-all", "day", "5", "all", "80", "warn"));
    }

    public void removeBudget(BudgetRow row) {
        budgets.remove(row);
    }

    public ObservableList<BudgetRow> budgets() {
        return budgets;
    }

    public ReadOnlyStringProperty budgetsErrorProperty() {
        return budgetsError.getReadOnlyProperty();
    }

    private static String trimmed(String s) {
        return s == null ? "" : s.trim();
    }

    private String checkModelIds() {
        Set<String> seen = new HashSet<>();
        for (ModelPriceRow row : models) {
            String id = row.modelProperty().get() == null ? "" : row.modelProperty().get().trim();
            if (id.isEmpty()) {
                return "every model needs an id";
            }
            if (!seen.add(id)) {
                return "model " + id + " is listed twice";
            }
        }
        return null;
    }

    /**
     * Dirty state, then the rules across keys when every value is valid on its own. Those may resolve a host
     * name, so they run on the background executor; Save waits for the newest check (older answers are dropped).
     */
    private void refresh() {
        dirty.set(byKey.values().stream().anyMatch(f -> f.dirtyProperty().get()) || modelsDirty()
                || budgetsDirty());
        long generation = ++checkGeneration;
        crossProblems = List.of();
        if (!fieldProblems.isEmpty() || !modelProblems.isEmpty() || !budgetProblems.isEmpty()) {
            checking.set(false);
            showProblems();
            return;
        }
        GatewayConfig candidate = ConfigSchema.build(formValues);
        checking.set(true);
        showProblems();
        tasks.run(() -> control.validate(candidate), problems -> {
            if (generation == checkGeneration) {
                crossProblems = List.copyOf(problems);
                checking.set(false);
                showProblems();
            }
        }, e -> {
            if (generation == checkGeneration) {
                crossProblems = List.of(new ConfigProblem("<form>", 0, "(form)", String.valueOf(e.getMessage())));
                checking.set(false);
                showProblems();
            }
        });
    }

    private void showProblems() {
        Map<String, List<String>> byField = new LinkedHashMap<>();
        fieldProblems.forEach((k, m) -> byField.computeIfAbsent(k, x -> new ArrayList<>()).add(m));
        List<String> modelsShown = new ArrayList<>(modelProblems);
        List<String> budgetsShown = new ArrayList<>(budgetProblems);
        List<String> general = new ArrayList<>();
        for (ConfigProblem p : crossProblems) {
            if (byKey.containsKey(p.key())) {
                byField.computeIfAbsent(p.key(), k -> new ArrayList<>()).add(p.message());
            } else if (p.key().startsWith("budgets")) {
                budgetsShown.add(p.key() + ": " + p.message());
            } else if (p.key().startsWith("models")) {
                modelsShown.add(p.key().substring(Math.min(p.key().length(), "models.".length())) + ": "
                        + p.message());
            } else {
                general.add(p.key() + ": " + p.message());
            }
        }
        for (SettingField field : byKey.values()) {
            List<String> msgs = byField.get(field.key());
            field.setError(msgs == null ? "" : String.join("; ", msgs));
        }
        modelsError.set(String.join("\n", modelsShown));
        budgetsError.set(String.join("\n", budgetsShown));
        generalError.set(String.join("\n", general));
        valid.set(byField.isEmpty() && modelsShown.isEmpty() && budgetsShown.isEmpty() && general.isEmpty());
    }

    /** Problems the gateway found on Save (it parses and checks the file text itself). */
    private void showRefused(List<ConfigProblem> problems) {
        fieldProblems.clear();
        modelProblems = List.of();
        budgetProblems = List.of();
        crossProblems = List.copyOf(problems);
        checkGeneration++;
        checking.set(false);
        showProblems();
    }

    // ---- commands ----

    public void save() {
        if (!canSave.get()) {
            return;
        }
        String text = candidateText();
        savingText = text;
        saving.set(true);
        info("Saving…");
        tasks.run(() -> control.saveAndReload(text), result -> {
            saving.set(false);
            if (!text.equals(baseText)) {
                try {
                    load(new ConfigState(ConfigLoader.parse(text, control.configFile().toString()).config(), text,
                            List.of()));
                } catch (ConfigException e) {
                    showRefused(e.problems());
                }
            }
            savingText = null;
            info(result.message());
        }, e -> {
            saving.set(false);
            savingText = null;
            if (e instanceof ConfigException ce) {
                showRefused(ce.problems());
                fail("Not saved: " + ce.problems().size() + " problem(s), see the marked fields.");
            } else if (e instanceof IOException io) {
                fail("Could not write " + control.configFile() + ": " + io.getMessage());
            } else {
                fail("Could not save: " + e.getMessage());
            }
        });
    }

    /** Drops unsaved edits and shows the configuration in force (including an outside edit held back). */
    public void discardChanges() {
        ConfigState target = pendingOutside != null ? pendingOutside : current;
        if (target != null) {
            load(target);
            info("");
        }
    }

    public void addModel() {
        models.add(new ModelPriceRow("", "", ""));
    }

    public void removeModel(ModelPriceRow row) {
        models.remove(row);
    }

    private void info(String text) {
        messageIsError.set(false);
        message.set(text);
    }

    private void fail(String text) {
        messageIsError.set(true);
        message.set(text);
    }

    // ---- properties ----

    public List<SettingGroup> groups() {
        return groups;
    }

    /** The field for a dotted key, e.g. {@code escalation.phrases}. */
    public SettingField field(String key) {
        SettingField f = byKey.get(key);
        if (f == null) {
            throw new IllegalArgumentException("no field " + key);
        }
        return f;
    }

    public ObservableList<ModelPriceRow> models() {
        return models;
    }

    /** The routing shares' sliders and their what-if preview on the user's own traffic. */
    public RoutingKnobViewModel routingKnob() {
        return routingKnob;
    }

    public BooleanBinding canSaveBinding() {
        return canSave;
    }

    public ReadOnlyBooleanProperty validProperty() {
        return valid.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty dirtyProperty() {
        return dirty.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty savingProperty() {
        return saving.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty messageIsErrorProperty() {
        return messageIsError.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty rejectedBannerProperty() {
        return rejectedBanner.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty outsideChangeBannerProperty() {
        return outsideChangeBanner.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty generalErrorProperty() {
        return generalError.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty modelsErrorProperty() {
        return modelsError.getReadOnlyProperty();
    }

    /** How many fields have a problem; for a summary next to Save. */
    public int invalidCount() {
        return (int) byKey.values().stream().filter(f -> !f.errorProperty().get().isEmpty()).count()
                + (modelsError.get().isEmpty() ? 0 : 1);
    }
}
