#!/usr/bin/env bash
# The main job end to end on the bundled fixtures: create a workspace, import the messy pudong
# catalogs, re-import (nothing changes), show an industry, export, and reject a broken file with a
# report the office could send back. Everything is written under out/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
out=out/demo
rm -rf "$out" && mkdir -p "$out"
export YIYE_DB="$out/yiye.db"
yiye() { node bin/run.js "$@"; }
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "1. 创建工作区 yiye init"
yiye init --region 310115 --authority 浦东新区人民政府 --yes

step "2. 导入浦东首批试点行业、事项目录、对应表（xlsx 标题行/合并单元格、GBK csv、UTF-16 csv）"
yiye catalog import fixtures/catalog/pudong/*.xlsx fixtures/catalog/pudong/*.csv --actor 演示

step "3. 再次导入同一批文件：目录不应有任何变化"
yiye catalog import fixtures/catalog/pudong/*.xlsx fixtures/catalog/pudong/*.csv --actor 演示

step "4. 查看“便利店”：部门、事项、材料"
yiye catalog show 便利店

step "5. 导出目录（可原样再导入）"
yiye catalog export "$out/目录导出.xlsx"

step "6. 导入一个有错误的部门报表：整批拒绝（退出码 3），错误清单写入 $out/错误清单.xlsx"
set +e
yiye catalog import fixtures/catalog/bad/bad-multi.xlsx --report "$out/错误清单.xlsx"
code=$?
set -e
echo "退出码：$code"
[ "$code" -eq 3 ] || { echo "演示失败：应以退出码 3 拒绝"; exit 1; }
echo
echo "演示完成。工作区：$YIYE_DB"
