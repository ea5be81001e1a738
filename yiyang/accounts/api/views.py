from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from yiyang.accounts.models import AuthToken, User
from yiyang.accounts.roles import PERMISSIONS, role_label
from yiyang.accounts.services import (
    me_extensions,
    token_issue,
    token_revoke,
    token_revoke_by_id,
    tokens_live,
    user_login,
)
from yiyang.core.apischema import ErrorSerializer


class TokenRequestSerializer(serializers.Serializer[Any]):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, style={"input_type": "password"}, trim_whitespace=False)


class TokenOutSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    client = serializers.CharField()
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    current = serializers.BooleanField()


class TokenResponseSerializer(serializers.Serializer[Any]):
    token = serializers.CharField()


class GrantOutSerializer(serializers.Serializer[Any]):
    role = serializers.CharField()
    role_label = serializers.CharField()
    region_code = serializers.CharField(help_text="6 或 12 位区划代码")
    region_name = serializers.CharField()


class MeSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField()
    username = serializers.CharField()
    display_name = serializers.CharField()
    roles = GrantOutSerializer(many=True)
    permissions = serializers.ListField(child=serializers.CharField())
    staff_id = serializers.UUIDField(required=False, allow_null=True)


class TokenView(APIView):
    """Log in with a username and password and receive an API token."""

    authentication_classes: list[Any] = []
    permission_classes = [permissions.AllowAny]

    def get_authenticators(self) -> list[Any]:
        # POST is anonymous (log in); DELETE revokes the token it is called with.
        if self.request is not None and self.request.method == "DELETE":
            from yiyang.accounts.authentication import ExpiringTokenAuthentication

            return [ExpiringTokenAuthentication()]
        return []

    def get_permissions(self) -> list[Any]:
        if self.request is not None and self.request.method == "DELETE":
            return [permissions.IsAuthenticated()]
        return [permissions.AllowAny()]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenResponseSerializer,
            429: OpenApiResponse(ErrorSerializer, description="同一地址登录失败过多，稍后再试"),
        },
        summary="用户名密码换取 API 令牌（每次登录一个新令牌）",
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_login(
            username=data.validated_data["username"],
            password=data.validated_data["password"],
            request=request._request,
        )
        _, key = token_issue(user=user, client=str(request.META.get("HTTP_USER_AGENT", ""))[:200])
        return Response({"token": key})

    @extend_schema(request=None, responses={204: None}, summary="退出：吊销本次请求所用的令牌")
    def delete(self, request: Request) -> Response:
        assert isinstance(request.user, User)
        token = request.auth if isinstance(request.auth, AuthToken) else None
        if token is not None:
            token_revoke(user=request.user, token=token)
        return Response(status=204)


class MeView(APIView):
    @extend_schema(responses={200: MeSerializer}, summary="当前用户、角色与权限")
    def get(self, request: Request) -> Response:
        user = request.user
        assert isinstance(user, User)
        grants = user.active_grants()
        body = {
            "id": user.public_id,
            "username": user.username,
            "display_name": user.display_name,
            "roles": [
                {
                    "role": g.role,
                    "role_label": role_label(g.role),
                    "region_code": g.region.gb_code,
                    "region_name": g.region.name,
                }
                for g in grants
            ],
            "permissions": sorted(p for p in PERMISSIONS if user.holds(p)),
            **me_extensions(user),
        }
        return Response(body)


class LogoutView(APIView):
    @extend_schema(request=None, responses={204: None}, summary="注销 API 令牌（仅本次登录的令牌）")
    def post(self, request: Request) -> Response:
        assert isinstance(request.user, User)
        token = request.auth if isinstance(request.auth, AuthToken) else None
        if token is not None:
            token_revoke(user=request.user, token=token)
        return Response(status=204)


class TokenListView(APIView):
    @extend_schema(responses={200: TokenOutSerializer(many=True)}, summary="本人有效的 API 令牌（各次登录）")
    def get(self, request: Request) -> Response:
        assert isinstance(request.user, User)
        current = request.auth.pk if isinstance(request.auth, AuthToken) else None
        rows = [
            {
                "public_id": t.public_id,
                "client": t.client,
                "created_at": t.created_at,
                "last_used_at": t.last_used_at,
                "expires_at": t.expires_at,
                "current": t.pk == current,
            }
            for t in tokens_live(user=request.user)
        ]
        return Response(TokenOutSerializer(rows, many=True).data)


class TokenDetailView(APIView):
    @extend_schema(request=None, responses={204: None}, summary="退出某次登录（吊销本人的一个令牌）")
    def delete(self, request: Request, id: str) -> Response:
        assert isinstance(request.user, User)
        if not token_revoke_by_id(user=request.user, public_id=id):
            raise NotFound()
        return Response(status=204)
