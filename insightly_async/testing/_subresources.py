"""Handlers of the sub-resources that hang off one record: ``/{Type}/{id}/...``."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from insightly_async._facts.catalog import BY_NAME, RecordType
from insightly_async.testing._handlers import PREFIX, Handlers
from insightly_async.testing._options import SubcollectionMode
from insightly_async.testing._schema import OPPORTUNITY_STATES, check_choice, shape_of
from insightly_async.testing._visibility import visible
from insightly_async.testing._wire import ApiError, json_response, parse_body_datetime

__all__ = ["SubResourceHandlers"]

Record = dict[str, Any]


class SubResourceHandlers(Handlers):
    """Links, tags, notes, follows, files, dates, activity, comments, children, pipelines."""

    def _parent(
        self, request: web.Request, rtype: RecordType, *, write: bool
    ) -> tuple[int, Record]:
        caller = self._caller()
        record_id = self._path_id(request)
        if write:
            return record_id, self._find_for_write(rtype, record_id, caller)
        return record_id, self._find(rtype, record_id, caller)

    def _stored(self, type_name: str, value: Any) -> Record | None:
        """The stored record of ``type_name`` with id ``value`` (``None``: not an id, or
        no such record)."""
        if isinstance(value, int) and not isinstance(value, bool):
            return self.store.table(type_name).get(value)
        return None

    def _named(self, body: Record, key: str, type_name: str, what: str) -> Record:
        """The stored record of ``type_name`` whose id ``body[key]`` holds.

        Raises:
            ApiError: 400 when it is not an id, or no such record exists.
        """
        value = body.get(key)
        found = self._stored(type_name, value)
        if found is None:
            raise ApiError(400, f"The value {value} of {key} does not refer to {what}.")
        return found

    def _touched(self, rtype: RecordType, record_id: int) -> str:
        self.store.touch(rtype.name, record_id)
        return self._etag(rtype, record_id)

    async def _links_get(self, request: web.Request, rtype: RecordType) -> web.StreamResponse:
        _, record = self._parent(request, rtype, write=False)
        return json_response(record.get("LINKS") or [])

    async def _links_post(self, request: web.Request, rtype: RecordType) -> web.StreamResponse:
        body = await self._object_body(request)
        record_id, record = self._parent(request, rtype, write=True)
        link = self.records.links.add(rtype, record, body)
        return json_response(link, 201, etag=self._touched(rtype, record_id))

    async def _links_put(self, request: web.Request, rtype: RecordType) -> web.StreamResponse:
        body = await self._object_body(request)
        record_id, record = self._parent(request, rtype, write=True)
        link_id = body.get("LINK_ID")
        links: list[Record] = record.get("LINKS") or []
        index = next((i for i, link in enumerate(links) if link.get("LINK_ID") == link_id), None)
        if link_id is None or index is None:
            raise ApiError(404 if link_id is not None else 400, f"Link {link_id} was not found.")
        merged = {**links[index], **body}
        link = self.records.links.item(rtype, record_id, merged)
        link["LINK_ID"] = link_id
        self.records.links.unmirror(links[index])
        links[index] = link
        self.records.links.mirror(link)
        return json_response(link, 200, etag=self._touched(rtype, record_id))

    async def _links_delete(self, request: web.Request, rtype: RecordType) -> web.StreamResponse:
        link_id = self._path_id(request, "link_id")
        record_id, record = self._parent(request, rtype, write=True)
        links: list[Record] = record.get("LINKS") or []
        link = next((item for item in links if item.get("LINK_ID") == link_id), None)
        if link is None:
            raise ApiError(404, f"Link {link_id} was not found.")
        links.remove(link)
        self.records.links.unmirror(link)
        self._touched(rtype, record_id)
        return json_response(None, 202)

    async def _tags(self, request: web.Request, rtype: RecordType) -> web.StreamResponse:
        if request.method == "GET":
            _, record = self._parent(request, rtype, write=False)
            return json_response(record.get("TAGS") or [])
        if request.method == "PUT":
            return await self._put_collection(request, rtype, "TAGS")
        body = await self._body(request)
        record_id, record = self._parent(request, rtype, write=True)
        name = self.records.checks.tag_name(body)
        if request.method == "POST":
            tags = {"TAGS": [{"TAG_NAME": name}]}
            self.records.collections.apply(rtype, record, tags, mode="merge")
            return json_response({"TAG_NAME": name}, 201, etag=self._touched(rtype, record_id))
        record["TAGS"] = [
            tag
            for tag in record.get("TAGS") or []
            if str(tag.get("TAG_NAME", "")).casefold() != name.casefold()
        ]
        self._touched(rtype, record_id)
        return json_response(None, 202)

    def _activity_page(
        self, request: web.Request, parent_type: RecordType, child_type: RecordType
    ) -> web.Response:
        caller = self._caller()
        parent_id, parent = self._parent(request, parent_type, write=False)
        after = self._updated_after(request)
        shape = shape_of(child_type)
        rows = [
            child
            for child in self.records.links.linked(parent_type, parent, parent_id, child_type)
            if visible(shape, child, caller)
        ]
        if after is not None:
            key = self._updated_key(child_type)
            rows = [r for r in rows if isinstance(r.get(key), str) and r[key] > after]
        return self._page(request, rows, brief=True)

    async def _activity(
        self, request: web.Request, rtype: RecordType, *, child_type: RecordType
    ) -> web.StreamResponse:
        """The emails, events, tasks or notes linked to a record."""
        return self._activity_page(request, rtype, child_type)

    async def _notes_post(self, request: web.Request, rtype: RecordType) -> web.StreamResponse:
        caller = self._caller()
        body = await self._object_body(request)
        parent_id, _ = self._parent(request, rtype, write=True)
        notes = BY_NAME["notes"]
        note = self.records.create(notes, body, caller)
        link = {"LINK_OBJECT_NAME": rtype.object_name, "LINK_OBJECT_ID": parent_id}
        self.records.links.add(notes, note, link)
        self.store.touch(notes.name, note["NOTE_ID"], stamp=False)
        self._touched(rtype, parent_id)
        return self._record_response(notes, note, 201)

    async def _notes_put(self, request: web.Request, rtype: RecordType) -> web.StreamResponse:
        body = await self._object_body(request)
        parent_id, parent = self._parent(request, rtype, write=True)
        notes = BY_NAME["notes"]
        note_id = body.get("NOTE_ID")
        if note_id is None:
            raise ApiError(400, "The NOTE_ID field is required.")
        linked = {
            n["NOTE_ID"]: n for n in self.records.links.linked(rtype, parent, parent_id, notes)
        }
        note = linked.get(note_id)
        if note is None:
            raise ApiError(
                404, f"Note with id {note_id} was not found on this {rtype.object_name}."
            )
        self.records.update(notes, note, body)
        self._touched(rtype, parent_id)
        return self._record_response(notes, note, self.options.put_status)

    async def _follow(self, request: web.Request, rtype: RecordType) -> web.StreamResponse:
        caller = self._caller()
        method = request.method
        record_id, _ = self._parent(request, rtype, write=method != "GET")
        key = (caller.user_id, rtype.name, record_id)
        if method == "GET":
            return json_response({"FOLLOWING": key in self.store.follows})
        if method == "POST":
            self.store.follows.add(key)
            return json_response({"FOLLOWING": True}, 201)
        self.store.follows.discard(key)
        return json_response(None, 202)

    def _items_page(
        self, request: web.Request, rtype: RecordType, kept: dict[tuple[str, int], list[Record]]
    ) -> web.Response:
        """A parent's files or comments, paged, after ``updated_after_utc`` when given."""
        record_id, _ = self._parent(request, rtype, write=False)
        items = kept.get((rtype.name, record_id), [])
        after = self._updated_after(request)
        if after is not None:
            items = [i for i in items if str(i.get("DATE_UPDATED_UTC") or "") > after]
        return self._page(request, items)

    async def _files_get(self, request: web.Request, rtype: RecordType) -> web.StreamResponse:
        return self._items_page(request, rtype, self.store.attachments)

    async def _files_post(self, request: web.Request, rtype: RecordType) -> web.StreamResponse:
        caller = self._caller()
        if request.content_type != "multipart/form-data":
            raise ApiError(400, "File attachments must be sent as multipart/form-data.")
        form = await request.post()
        upload = form.get("file")
        if not isinstance(upload, web.FileField):
            raise ApiError(400, "The file part is required.")
        record_id, _ = self._parent(request, rtype, write=True)
        content = upload.file.read()
        file_name = form.get("file_name")
        content_type = form.get("content_type")
        category = form.get("file_category_id")
        file_id = self.store.next_sub_id()
        now = self.store.now_text()
        metadata: Record = {
            "FILE_ID": file_id,
            "FILE_NAME": file_name if isinstance(file_name, str) and file_name else upload.filename,
            "CONTENT_TYPE": (
                content_type
                if isinstance(content_type, str) and content_type
                else upload.content_type
            ),
            "FILE_SIZE": len(content),
            "FILE_CATEGORY_ID": self._int(category, "file_category_id")
            if isinstance(category, str) and category
            else None,
            "OWNER_USER_ID": caller.user_id,
            "DATE_CREATED_UTC": now,
            "DATE_UPDATED_UTC": now,
            "URL": str(
                request.url.with_path(f"{PREFIX}/FileAttachments/{file_id}").with_query(None)
            ),
        }
        self.store.attachments.setdefault((rtype.name, record_id), []).append(metadata)
        return json_response(metadata, 201, etag=self._touched(rtype, record_id))

    async def _dates(self, request: web.Request, rtype: RecordType) -> web.StreamResponse:
        return await self._collection(request, rtype, "DATES")

    async def _email_domains(self, request: web.Request, rtype: RecordType) -> web.StreamResponse:
        return await self._collection(request, rtype, "EMAILDOMAINS")

    async def _collection(
        self, request: web.Request, rtype: RecordType, key: str
    ) -> web.StreamResponse:
        if request.method == "PUT":
            return await self._put_collection(request, rtype, key)
        _, record = self._parent(request, rtype, write=False)
        return json_response(record.get(key) or [])

    async def _put_collection(
        self, request: web.Request, rtype: RecordType, key: str
    ) -> web.StreamResponse:
        """PUT of Tags, Dates, EmailDomains: a list replaces them, an object is upserted."""
        body = await self._body(request)
        record_id, record = self._parent(request, rtype, write=True)
        items = body if isinstance(body, list) else [body]
        mode: SubcollectionMode = "replace" if isinstance(body, list) else "merge"
        prepared = {key: self.records.collections.prepare(rtype, key, items)}
        self.records.collections.apply(rtype, record, prepared, mode=mode)
        etag = self._touched(rtype, record_id)
        return json_response(record.get(key) or [], 200, etag=etag)

    async def _comments_get(self, request: web.Request, rtype: RecordType) -> web.StreamResponse:
        return self._items_page(request, rtype, self.store.comments)

    async def _comments_post(self, request: web.Request, rtype: RecordType) -> web.StreamResponse:
        caller = self._caller()
        body = await self._object_body(request)
        text = body.get("BODY")
        if text is not None and not isinstance(text, str):
            raise ApiError(400, "The value of BODY is not valid: expected a string.")
        record_id, _ = self._parent(request, rtype, write=True)
        now = self.store.now_text()
        comment: Record = {
            "COMMENT_ID": self.store.next_sub_id(),
            "BODY": text,
            "OWNER_USER_ID": caller.user_id,
            "DATE_CREATED_UTC": now,
            "DATE_UPDATED_UTC": now,
        }
        comments = self.store.comments.setdefault((rtype.name, record_id), [])
        comments.append(comment)
        self._touched(rtype, record_id)
        return json_response(comments, 201)

    async def _children(
        self, request: web.Request, rtype: RecordType, *, child_type: RecordType
    ) -> web.StreamResponse:
        """Child entities written through their parent (line items, entries, milestones)."""
        caller = self._caller()
        assert rtype.id_field is not None
        assert child_type.id_field is not None
        pointer = rtype.id_field
        table = self.store.table(child_type.name)
        method = request.method
        body = await self._object_body(request) if method in ("POST", "PUT") else None
        parent_id, _ = self._parent(request, rtype, write=method != "GET")

        def children() -> list[Record]:
            return [child for child in table.records() if child.get(pointer) == parent_id]

        if method == "GET":
            return json_response(children())
        if method == "DELETE":
            child_id = self._path_id(request, "child_id")
            child = table.get(child_id)
            if child is None or child.get(pointer) != parent_id:
                raise ApiError(404, f"{child_type.object_name} with id {child_id} was not found.")
            self.records.delete(child_type.name, child_id)
            self._touched(rtype, parent_id)
            return json_response(None, 202)
        assert body is not None
        fixed = {pointer: parent_id}
        if method == "POST":
            self.records.create(child_type, body, caller, fixed)
            self._touched(rtype, parent_id)
            return json_response(children(), 201)
        target_id = body.get(child_type.id_field)
        child = table.get(target_id) if isinstance(target_id, int) else None
        if target_id is None:
            raise ApiError(400, f"The {child_type.id_field} field is required.")
        if child is None or child.get(pointer) != parent_id:
            raise ApiError(404, f"{child_type.object_name} with id {target_id} was not found.")
        self.records.update(child_type, child, body, fixed)
        self._touched(rtype, parent_id)
        return json_response(children(), 200)

    async def _state_change(self, request: web.Request, rtype: RecordType) -> web.StreamResponse:
        body = await self._object_body(request)
        record_id, record = self._parent(request, rtype, write=True)
        state = check_choice(
            "FOR_OPPORTUNITY_STATE",
            body.get("FOR_OPPORTUNITY_STATE"),
            OPPORTUNITY_STATES,
            any_case=True,
        )
        reason_id = body.get("STATE_REASON_ID")
        reason = body.get("STATE_REASON")
        if reason_id is not None:
            found = self._named(body, "STATE_REASON_ID", "opportunity_state_reasons", "a reason")
            reason = found.get("STATE_REASON")
        elif reason is not None and not isinstance(reason, str):
            raise ApiError(400, "The value of STATE_REASON is not valid: expected a string.")
        record["OPPORTUNITY_STATE"] = state
        entry = self.records.record_state(record, state, reason_id, reason)
        return json_response(entry, 200, etag=self._touched(rtype, record_id))

    async def _state_history(self, request: web.Request, rtype: RecordType) -> web.StreamResponse:
        record_id, _ = self._parent(request, rtype, write=False)
        return json_response(self.store.state_history.get(record_id, []))

    def _pipeline_of(self, rtype: RecordType, record_id: int, record: Record) -> tuple[Any, Any]:
        if "PIPELINE_ID" in record:
            return record.get("PIPELINE_ID"), record.get("STAGE_ID")
        return self.store.pipelines.get((rtype.name, record_id), (None, None))

    def _set_pipeline(
        self, rtype: RecordType, record_id: int, record: Record, pipeline: Any, stage: Any
    ) -> None:
        if "PIPELINE_ID" in record:
            record["PIPELINE_ID"] = pipeline
            record["STAGE_ID"] = stage
        elif pipeline is None:
            self.store.pipelines.pop((rtype.name, record_id), None)
        else:
            self.store.pipelines[(rtype.name, record_id)] = (pipeline, stage)

    def _stage_in(self, pipeline_id: Any, stage_id: Any) -> int:
        stage = self._stored("pipeline_stages", stage_id)
        if stage is None or stage.get("PIPELINE_ID") != pipeline_id:
            raise ApiError(400, f"Stage {stage_id} does not belong to pipeline {pipeline_id}.")
        return int(stage_id)

    async def _pipeline_put(self, request: web.Request, rtype: RecordType) -> web.StreamResponse:
        body = await self._object_body(request)
        record_id, record = self._parent(request, rtype, write=True)
        pipeline_id = body.get("PIPELINE_ID")
        pipeline = self._named(body, "PIPELINE_ID", "pipelines", "a pipeline")
        flag = {"opportunities": "FOR_OPPORTUNITIES", "projects": "FOR_PROJECTS"}.get(rtype.name)
        if flag is not None and pipeline.get(flag) is False:
            raise ApiError(400, f"Pipeline {pipeline_id} is not for {rtype.path}.")
        change = body.get("PIPELINE_STAGE_CHANGE")
        if change is not None and not isinstance(change, dict):
            raise ApiError(
                400, "The value of PIPELINE_STAGE_CHANGE is not valid: expected an object."
            )
        if change is not None and change.get("STAGE_ID") is not None:
            stage_id: int | None = self._stage_in(pipeline_id, change.get("STAGE_ID"))
        else:
            stages = sorted(
                (
                    s
                    for s in self.store.table("pipeline_stages").records()
                    if s.get("PIPELINE_ID") == pipeline_id
                ),
                key=lambda s: (s.get("STAGE_ORDER") or 0, s.get("STAGE_ID") or 0),
            )
            stage_id = stages[0]["STAGE_ID"] if stages else None
        self._set_pipeline(rtype, record_id, record, pipeline_id, stage_id)
        answer = [
            {
                "PIPELINE_ID": pipeline_id,
                "PIPELINE_STAGE_CHANGE": {"STAGE_ID": stage_id, "ACTIVITYSET_ASSIGNMENT": None},
            }
        ]
        return json_response(answer, 200, etag=self._touched(rtype, record_id))

    async def _pipeline_stage(self, request: web.Request, rtype: RecordType) -> web.StreamResponse:
        body = await self._object_body(request)
        record_id, record = self._parent(request, rtype, write=True)
        pipeline_id, _ = self._pipeline_of(rtype, record_id, record)
        if pipeline_id is None:
            raise ApiError(400, f"{rtype.object_name} {record_id} is not in a pipeline.")
        stage_id = self._stage_in(pipeline_id, body.get("STAGE_ID"))
        self._set_pipeline(rtype, record_id, record, pipeline_id, stage_id)
        answer = [{"STAGE_ID": stage_id, "ACTIVITYSET_ASSIGNMENT": None}]
        return json_response(answer, 200, etag=self._touched(rtype, record_id))

    async def _pipeline_delete(self, request: web.Request, rtype: RecordType) -> web.StreamResponse:
        record_id, record = self._parent(request, rtype, write=True)
        self._set_pipeline(rtype, record_id, record, None, None)
        self._touched(rtype, record_id)
        return json_response(None, 202)

    async def _pricebook(self, request: web.Request, rtype: RecordType) -> web.StreamResponse:
        body = await self._object_body(request)
        record_id, record = self._parent(request, rtype, write=True)
        pricebook_id = body.get("PRICEBOOK_ID")
        self._named(body, "PRICEBOOK_ID", "price_books", "a price book")
        record["PRICEBOOK_ID"] = pricebook_id
        return json_response([record], 200, etag=self._touched(rtype, record_id))

    async def _team_member_post(
        self, request: web.Request, rtype: RecordType
    ) -> web.StreamResponse:
        caller = self._caller()
        body = await self._object_body(request)
        team_id, _ = self._parent(request, rtype, write=True)
        members = BY_NAME["team_members"]
        member = self.records.create(members, body, caller, {"TEAM_ID": team_id})
        return self._record_response(members, member, 201)

    async def _team_member_delete(
        self, request: web.Request, rtype: RecordType
    ) -> web.StreamResponse:
        permission_id = self._path_id(request, "permission_id")
        team_id, _ = self._parent(request, rtype, write=True)
        member = self.store.table("team_members").get(permission_id)
        if member is None or member.get("TEAM_ID") != team_id:
            raise ApiError(404, f"Team member {permission_id} was not found.")
        self.records.delete("team_members", permission_id)
        return json_response(None, 202)

    async def _link_email_address(
        self, request: web.Request, rtype: RecordType
    ) -> web.StreamResponse:
        _, record = self._parent(request, rtype, write=False)
        return json_response({"EMAIL": record.get("LINKED_EMAIL_ADDRESS")})

    async def _activity_set_assignment(
        self, request: web.Request, rtype: RecordType
    ) -> web.StreamResponse:
        body = await self._object_body(request)
        record_id, _ = self._parent(request, rtype, write=True)
        set_id = body.get("ACTIVITYSET_ID")
        self._named(body, "ACTIVITYSET_ID", "activity_sets", "an activity set")
        answer: Record = {"ACTIVITYSET_ID": set_id}
        for key in ("START_DATE", "END_DATE"):
            value = body.get(key)
            canonical = parse_body_datetime(value) if isinstance(value, str) else None
            if value is not None and canonical is None:
                raise ApiError(400, f"The value of {key} is not valid: expected a date and time.")
            answer[key] = canonical
        assignments = body.get("ACTIVITY_ASSIGNMENTS")
        if assignments is not None and not isinstance(assignments, list):
            raise ApiError(400, "The value of ACTIVITY_ASSIGNMENTS is not valid: expected a list.")
        answer["ACTIVITY_ASSIGNMENTS"] = assignments or []
        return json_response(answer, 201, etag=self._touched(rtype, record_id))
