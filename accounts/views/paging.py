"""A page of a list that is not counted: where counting every match would cost a scan (a
search), the page fetches one row more than it shows, and that row only says whether a next
page exists. Templates treat it like Django's `Page` (iterate it, `number`, `has_next`,
`next_page_number`, ...); its `paginator` is None, so "Page 2 of 7" becomes "Page 2", and
the number of matches is a lower bound ("50+") until the last page shows it exactly."""

# A page number past this is not a page anyone reads: it only asks for a long OFFSET.
MAX_PAGE = 1000


class WindowPage:
    paginator = None

    def __init__(self, queryset, number, per_page):
        self.number = _page_number(number)
        start = (self.number - 1) * per_page
        rows = list(queryset[start : start + per_page + 1])
        self.object_list = rows[:per_page]
        self.more = len(rows) > per_page
        # The matches known so far: every earlier page was full.
        self.seen = start + len(self.object_list)

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def has_next(self):
        return self.more

    def has_previous(self):
        return self.number > 1

    def has_other_pages(self):
        return self.has_next() or self.has_previous()

    def next_page_number(self):
        return self.number + 1

    def previous_page_number(self):
        return self.number - 1

    @property
    def count_text(self):
        """How many match, as far as this page knows: "50+" while there is more."""
        return f"{self.seen:,}+" if self.more else f"{self.seen:,}"

    @property
    def count_is_plural(self):
        return self.more or self.seen != 1


def _page_number(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), MAX_PAGE)
