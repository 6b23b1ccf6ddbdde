"""Django admin for the early childhood app (municipal IT: fix data, look things up).

Children and guardians are registry residents: they are chosen by id (raw id fields), never listed
in a drop-down. Media files are shown by name only; they are served through the app's access check.
"""

from django.contrib import admin

from thukkhon.childhood.models import (
    AtelierSession,
    Attendance,
    Centre,
    Classroom,
    Comment,
    DevelopmentCase,
    Domain,
    Enrolment,
    Framework,
    Guardianship,
    Indicator,
    IndicatorRating,
    Media,
    Observation,
    ObservationChild,
    Project,
    ProjectPhase,
    Rating,
    Screening,
    SmallGroup,
    Standard,
    TeacherAssignment,
    Term,
    TransitionSummary,
)


@admin.register(Centre)
class CentreAdmin(admin.ModelAdmin):
    list_display = ["name_th", "kind", "municipality"]
    list_filter = ["municipality", "kind"]
    search_fields = ["name_th", "name_en"]
    raw_id_fields = ["place"]


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    list_display = ["__str__", "starts_on", "ends_on", "municipality"]
    list_filter = ["municipality", "academic_year"]


class TeacherAssignmentInline(admin.TabularInline):
    model = TeacherAssignment
    extra = 0
    raw_id_fields = ["membership"]


@admin.register(Classroom)
class ClassroomAdmin(admin.ModelAdmin):
    list_display = ["name", "centre", "academic_year", "level", "municipality"]
    list_filter = ["municipality", "academic_year", "centre"]
    search_fields = ["name", "centre__name_th"]
    inlines = [TeacherAssignmentInline]


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["child", "classroom", "enrolled_on", "left_on"]
    list_filter = ["municipality", "classroom__academic_year", "classroom__centre"]
    search_fields = ["child__first_name", "child__last_name", "child__nickname"]
    raw_id_fields = ["child", "classroom"]
    list_select_related = ["child", "classroom__centre"]


@admin.register(Guardianship)
class GuardianshipAdmin(admin.ModelAdmin):
    list_display = ["child", "display_name", "relation", "lives_with_child", "is_primary"]
    list_filter = ["municipality", "relation", "lives_with_child"]
    search_fields = ["child__first_name", "child__last_name", "guardian__first_name", "name"]
    raw_id_fields = ["child", "guardian", "membership"]
    list_select_related = ["child", "guardian", "membership__user"]


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ["day", "child", "classroom", "status", "reason"]
    list_filter = ["municipality", "status", "reason", "day"]
    raw_id_fields = ["child", "classroom", "recorded_by"]
    date_hierarchy = "day"
    list_select_related = ["child", "classroom__centre"]


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ["code", "name_th", "is_current"]


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ["framework", "order", "name_th", "name_en"]
    list_filter = ["framework"]


@admin.register(Standard)
class StandardAdmin(admin.ModelAdmin):
    list_display = ["framework", "number", "name_th", "domain"]
    list_filter = ["framework", "domain"]
    inlines = [IndicatorInline]


class ObservationChildInline(admin.TabularInline):
    model = ObservationChild
    extra = 0
    raw_id_fields = ["child"]


class MediaInline(admin.TabularInline):
    model = Media
    extra = 0
    fields = ["kind", "name", "state", "size", "width", "height"]
    readonly_fields = ["kind", "name", "state", "size", "width", "height"]
    can_delete = False


@admin.register(Observation)
class ObservationAdmin(admin.ModelAdmin):
    list_display = ["observed_on", "title", "classroom", "source", "visibility", "author"]
    list_filter = ["municipality", "source", "visibility", "observed_on"]
    search_fields = ["title", "description"]
    raw_id_fields = ["classroom", "project", "author"]
    filter_horizontal = ["standards"]
    exclude = ["indicators"]
    date_hierarchy = "observed_on"
    inlines = [ObservationChildInline, MediaInline]
    list_select_related = ["classroom__centre", "author"]


@admin.register(Media)
class MediaAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "kind", "state", "observation", "created_at"]
    list_filter = ["municipality", "kind", "state"]
    raw_id_fields = ["observation", "children"]
    readonly_fields = ["original", "web", "thumb", "size", "width", "height", "content_type"]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["created_at", "child", "author", "observation"]
    list_filter = ["municipality"]
    raw_id_fields = ["observation", "child", "author"]


class ProjectPhaseInline(admin.TabularInline):
    model = ProjectPhase
    extra = 0


class SmallGroupInline(admin.TabularInline):
    model = SmallGroup
    extra = 0
    fields = ["name"]


class AtelierSessionInline(admin.TabularInline):
    model = AtelierSession
    extra = 0


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "classroom", "started_on", "status"]
    list_filter = ["municipality", "status"]
    search_fields = ["title", "provocation"]
    raw_id_fields = ["classroom", "created_by"]
    inlines = [ProjectPhaseInline, SmallGroupInline, AtelierSessionInline]


@admin.register(SmallGroup)
class SmallGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "project"]
    raw_id_fields = ["project", "children"]


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["child", "term", "standard", "score", "classroom", "rated_by"]
    list_filter = ["municipality", "term", "score"]
    raw_id_fields = ["child", "classroom", "rated_by", "evidence"]
    list_select_related = ["child", "term", "standard", "classroom", "rated_by"]


@admin.register(IndicatorRating)
class IndicatorRatingAdmin(admin.ModelAdmin):
    list_display = ["child", "term", "indicator", "score", "classroom", "rated_by"]
    list_filter = ["municipality", "term", "score"]
    raw_id_fields = ["child", "classroom", "rated_by", "evidence"]
    list_select_related = ["child", "term", "indicator", "classroom", "rated_by"]


@admin.register(TransitionSummary)
class TransitionSummaryAdmin(admin.ModelAdmin):
    list_display = ["child", "receiving_school", "written_by", "created_at", "shared_at"]
    list_filter = ["municipality"]
    raw_id_fields = ["child", "written_by"]


@admin.register(Screening)
class ScreeningAdmin(admin.ModelAdmin):
    list_display = ["child", "age_band", "screened_on", "is_rescreen", "gm", "fm", "rl", "el", "ps"]
    list_filter = ["municipality", "age_band", "is_rescreen"]
    raw_id_fields = ["child", "screened_by"]


@admin.register(DevelopmentCase)
class DevelopmentCaseAdmin(admin.ModelAdmin):
    list_display = ["child", "stage", "opened_on", "rescreen_due_on", "referred_to", "closed_on"]
    list_filter = ["municipality", "stage"]
    raw_id_fields = ["child", "screening", "rescreen"]
