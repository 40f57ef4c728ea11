package dev.costgateway.core.budget;

/** A budget crossed its warning threshold or its limit; delivered once per budget, scope value and period. */
public record BudgetAlert(BudgetState state) {

    public BudgetState.Level level() {
        return state.level();
    }
}
