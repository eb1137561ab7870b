"""The summable counts every rollup, window and report row of search analytics carries, as SQL."""

COUNT_NAMES = ("searches", "viewers", "zero_result_searches", "clicked_searches", "clicks", "click_position_sum")
COLUMNS = ", ".join(COUNT_NAMES)
SUMS = ", ".join(f"sum({name}) AS {name}" for name in COUNT_NAMES)
