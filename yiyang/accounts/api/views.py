from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from yiyang.accounts.models import User
from yiyang.accounts.roles import PERMISSIONS, role_label
from yiyang.accounts.services import me_extensions, token_issue, token_revoke, user_login


class TokenRequestSerializer(serializers.Serializer[Any]):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, style={"input_type": "password"}, trim_whitespace=False)


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

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: TokenResponseSerializer},
        summary="用户名密码换取 API 令牌",
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
        token = token_issue(user=user)
        return Response({"token": token.key})


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
    @extend_schema(request=None, responses={204: None}, summary="注销 API 令牌")
    def post(self, request: Request) -> Response:
        assert isinstance(request.user, User)
        token_revoke(user=request.user)
        return Response(status=204)
