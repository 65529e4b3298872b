"""Staged files and the creating form's token

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('staged_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('draft', sa.String(length=64), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('media_type', sa.String(length=127), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('storage_key', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_staged_files_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staged_files')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_staged_files_storage_key'))
    )
    with op.batch_alter_table('staged_files', schema=None) as batch_op:
        batch_op.create_index('ix_staged_files_user_id_draft', ['user_id', 'draft'], unique=False)

    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_token', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_tickets_request_token'), ['request_token'])



def downgrade():
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_tickets_request_token'), type_='unique')
        batch_op.drop_column('request_token')

    with op.batch_alter_table('staged_files', schema=None) as batch_op:
        batch_op.drop_index('ix_staged_files_user_id_draft')

    op.drop_table('staged_files')
